"""Attachments through the API: upload to a matter (checked like the registration form), list, download;
bad files get a Chinese 400 naming the file and nothing is saved."""

import io
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from handling import services as handling
from petitions.models import Attachment, Event
from petitions.services import MAX_ADDED_ATTACHMENTS
from xinfang.testing import client_for, make_petition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root):
    return sorted(name for _dirs, _subdirs, names in os.walk(root) for name in names)


@pytest.fixture
def matter(cast):
    return make_petition(cast.county_bureau, actor=cast.officer, title="小区楼顶违章搭建无人处理")


def upload(user, petition_id, *files, **extra):
    return client_for(user).post("/api/attachments/", {"petition": petition_id, "files": list(files), **extra})


def test_upload_list_and_download(cast, matter, media):
    response = upload(cast.officer, matter.pk, SimpleUploadedFile("现场照片.png", PNG),
                      SimpleUploadedFile("信件扫描.pdf", PDF))
    assert response.status_code == 201, response.json()
    rows = response.json()
    assert [(r["original_name"], r["size"], r["content_type"]) for r in rows] == [
        ("现场照片.png", len(PNG), "image/png"), ("信件扫描.pdf", len(PDF), "application/pdf")]
    contact = matter.contacts.get()
    assert {r["contact"] for r in rows} == {contact.pk} and {r["petition"] for r in rows} == {matter.pk}
    assert rows[0]["uploaded_by_name"] == "李干部"
    assert len(stored_files(media)) == 2
    event = Event.objects.get(petition=matter, action="attachment_added")
    assert event.note == "补充附件2个：现场照片.png、信件扫描.pdf" and event.actor == cast.officer
    assert AuditEntry.objects.filter(summary=f"{matter.number} 补充附件2个").count() == 1

    listed = client_for(cast.officer).get(f"/api/attachments/?petition={matter.pk}").json()
    assert listed["count"] == 2 and [r["original_name"] for r in listed["results"]] == ["信件扫描.pdf", "现场照片.png"]
    pdf = next(r for r in listed["results"] if r["original_name"] == "信件扫描.pdf")
    assert pdf["download_url"] == f"http://testserver/api/attachments/{pdf['id']}/download/"
    file = client_for(cast.officer).get(f"/api/attachments/{pdf['id']}/download/")
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content) == PDF
    # A client that asks for JSON only still gets the file (not a 406).
    file = client_for(cast.officer).get(f"/api/attachments/{pdf['id']}/download/", HTTP_ACCEPT="application/json")
    assert file.status_code == 200


def test_attachments_are_scoped_through_their_matter(cast, matter):
    upload(cast.officer, matter.pk, SimpleUploadedFile("a.pdf", PDF))
    attachment = Attachment.objects.get()
    assert client_for(cast.handler_b).get(f"/api/attachments/?petition={matter.pk}").json()["count"] == 0
    assert client_for(cast.handler_b).get(f"/api/attachments/{attachment.pk}/download/").status_code == 404
    assert client_for(cast.handler_b).get(f"/api/attachments/{attachment.pk}/").status_code == 404
    handling.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    assert client_for(cast.handler_b).get(f"/api/attachments/?petition={matter.pk}").json()["count"] == 1
    assert client_for(cast.handler_b).get(f"/api/attachments/{attachment.pk}/download/").status_code == 200
    # Unit B now handles the matter and may add its own material.
    assert upload(cast.handler_b, matter.pk, SimpleUploadedFile("b.pdf", PDF)).status_code == 201


def test_upload_to_a_named_contact(cast, matter):
    contact = matter.contacts.get()
    response = upload(cast.officer, matter.pk, SimpleUploadedFile("a.pdf", PDF), contact=contact.pk)
    assert response.status_code == 201 and response.json()[0]["contact"] == contact.pk
    other = make_petition(cast.county_bureau, actor=cast.officer, title="另一件").contacts.get()
    response = upload(cast.officer, matter.pk, SimpleUploadedFile("b.pdf", PDF), contact=other.pk)
    assert response.status_code == 400
    assert response.json() == {"code": "domain_error", "detail": "该件次不属于此事项。",
                                "fields": {"contact": ["该件次不属于此事项。"]}}
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(("files", "detail"), [
    ([("病毒.exe", b"MZ\x90\x00")], "附件“病毒.exe”的类型不允许。只能上传 PDF、JPG、PNG、DOC/DOCX、XLS/XLSX、TXT、MP3/M4A 文件。"),
    ([("好的.pdf", PDF), ("伪装.pdf", b"MZ\x90\x00 not a pdf")],
     "附件“伪装.pdf”的内容与扩展名不符：它不是有效的PDF。请确认文件未损坏、扩展名未被改动。"),
    ([("空.pdf", b"")], "附件“空.pdf”是空文件。"),
])
def test_refused_files_save_nothing(cast, matter, media, files, detail):
    response = upload(cast.officer, matter.pk, *[SimpleUploadedFile(n, d) for n, d in files])
    assert response.status_code == 400
    assert response.json() == {"code": "domain_error", "detail": detail, "fields": {"attachments": [detail]}}
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert not Event.objects.filter(action="attachment_added").exists()


def test_oversized_file_is_refused_like_the_form(cast, matter, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(cast.officer, matter.pk, SimpleUploadedFile("大.pdf", PDF + b"0" * 2048))
    assert response.status_code == 400
    assert response.json()["detail"] == "附件“大.pdf”大小为 2.0 KB，超过上限 1.0 KB。"
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_a_failure_while_storing_removes_the_files_already_written(cast, matter, media, monkeypatch):
    from petitions import services

    real = services.record

    def fail(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record", fail)
    with pytest.raises(RuntimeError):
        services.add_attachments(matter, [services.AttachmentInput("a.pdf", io.BytesIO(PDF)),
                                          services.AttachmentInput("b.png", io.BytesIO(PNG))], actor=cast.officer)
    monkeypatch.setattr(services, "record", real)
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_malformed_requests(cast, matter):
    api = client_for(cast.officer)
    cases = [
        (api.post("/api/attachments/", {"petition": matter.pk}), "files",
         "请选择要上传的附件（multipart/form-data，字段名 files）。"),
        (api.post("/api/attachments/", {"petition": matter.pk, "files": "not a file"}), "files",
         "请选择要上传的附件（multipart/form-data，字段名 files）。"),
        (api.post("/api/attachments/", {"files": SimpleUploadedFile("a.pdf", PDF)}), "petition", "请填写事项（整数 id）。"),
        (api.post("/api/attachments/", {"petition": "abc"}), "petition", "请填写事项（整数 id）。"),
        (api.post("/api/attachments/", {"petition": str(2**70)}), "petition", "事项无效。"),
        (api.post("/api/attachments/", json.dumps({"petition": matter.pk}), content_type="application/json"), "files",
         "请选择要上传的附件（multipart/form-data，字段名 files）。"),
    ]
    for response, field, detail in cases:
        assert response.status_code == 400, response.content
        assert response.json() == {"code": "domain_error", "detail": detail, "fields": {field: [detail]}}
    many = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(MAX_ADDED_ATTACHMENTS + 1)]
    response = upload(cast.officer, matter.pk, *many)
    assert response.status_code == 400 and response.json()["detail"] == "一次最多上传10个附件。"
    assert upload(cast.officer, 99999999, SimpleUploadedFile("a.pdf", PDF)).status_code == 404
    assert not Attachment.objects.exists()


def test_bad_filters_are_400(cast):
    response = client_for(cast.officer).get("/api/attachments/?petition=abc")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_archived_and_merged_matters_take_no_more_files(cast, matter, media):
    into = make_petition(cast.county_bureau, actor=cast.officer, title="同一件事")
    handling.merge(matter, actor=cast.officer, into=into)
    response = upload(cast.officer, matter.pk, SimpleUploadedFile("a.pdf", PDF))
    assert response.status_code == 400
    assert response.json() == {"code": "sealed",
                                "detail": f"事项 {matter.number} 当前状态为“已并入他件”，不能再补充附件。"}
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert upload(cast.officer, into.pk, SimpleUploadedFile("a.pdf", PDF)).status_code == 201
