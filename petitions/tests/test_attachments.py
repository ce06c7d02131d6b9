"""Attachments: allowed types by real signature, size limit, nothing half-saved, scoped download."""

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from core.errors import DomainError
from petitions import attachments
from petitions.models import Attachment, Contact, Petition
from petitions.services import AttachmentInput, PersonInput, RegistrationInput, register_contact
from petitions.tests.test_register_form import form_data
from xinfang.testing import status_by_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
MP3 = b"ID3\x03\x00" + b"\x00" * 32
M4A = b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 32


def office(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # Fixed timestamps: test ids contain these bytes and must be identical in every xdist worker.
        stamp = (2026, 1, 1, 0, 0, 0)
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", stamp), "<Types/>")
        archive.writestr(zipfile.ZipInfo(member, stamp), "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("信件扫描.pdf", PDF, "application/pdf"),
    ("照片.JPG", JPG, "image/jpeg"),
    ("照片.png", PNG, "image/png"),
    ("材料.doc", OLE, "application/msword"),
    ("材料.docx", office("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("台账.xls", OLE, "application/vnd.ms-excel"),
    ("台账.xlsx", office("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("说明.txt", "我家楼上漏水。".encode("gb18030"), "text/plain"),
    ("录音.mp3", MP3, "audio/mpeg"),
    ("录音.m4a", M4A, "audio/mp4"),
])
def test_allowed_types_pass_by_signature(name, data, content_type):
    checked = attachments.check(name, io.BytesIO(data))
    assert checked.content_type == content_type and checked.size == len(data) and len(checked.sha256) == 64


@pytest.mark.parametrize(("name", "data", "message"), [
    ("病毒.exe", b"MZ\x90\x00", "附件“病毒.exe”的类型不允许。只能上传 PDF、JPG、PNG、DOC/DOCX、XLS/XLSX、TXT、MP3/M4A 文件。"),
    ("伪装.pdf", b"MZ\x90\x00 not a pdf", "附件“伪装.pdf”的内容与扩展名不符：它不是有效的PDF。"),
    ("伪装.png", JPG, "附件“伪装.png”的内容与扩展名不符：它不是有效的PNG 图片。"),
    ("伪装.docx", office("xl/workbook.xml"), "附件“伪装.docx”的内容与扩展名不符：它不是有效的Word 文档。"),
    ("二进制.txt", b"\x00\x01\x02", "附件“二进制.txt”的内容与扩展名不符：它不是有效的文本文件。"),
    ("空.pdf", b"", "附件“空.pdf”是空文件。"),
])
def test_wrong_types_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(DomainError) as info:
        attachments.check(name, io.BytesIO(data))
    assert info.value.message.startswith(message) and info.value.field == "attachments"


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_files_over_the_limit_are_refused():
    with pytest.raises(DomainError, match="附件“大.pdf”大小为 2.0 KB，超过上限 1.0 KB。"):
        attachments.check("大.pdf", io.BytesIO(PDF + b"0" * 2048))


def _input(cast, files):
    return RegistrationInput(channel="letter", receiving_unit=cast.town_a, title="来信", content="见附件。",
                             people=[PersonInput(name="张三", phone="13800000001")],
                             attachments=[AttachmentInput(name=n, file=io.BytesIO(d)) for n, d in files])


def test_attachments_are_stored_with_their_metadata(cast):
    contact = register_contact(_input(cast, [("信.pdf", PDF), ("照片.png", PNG)]), actor=cast.desk_a)
    stored = list(contact.attachments.order_by("id"))
    assert [(a.original_name, a.size, a.content_type, a.uploaded_by) for a in stored] == [
        ("信.pdf", len(PDF), "application/pdf", cast.desk_a), ("照片.png", len(PNG), "image/png", cast.desk_a)]
    assert stored[0].file.read() == PDF and stored[0].file.name.endswith(".pdf")
    assert stored[0].sha256 == attachments.check("x.pdf", io.BytesIO(PDF)).sha256


def test_one_bad_file_means_nothing_is_saved(cast, settings):
    before = set(os.listdir(settings.MEDIA_ROOT / "attachments")) if (settings.MEDIA_ROOT / "attachments").exists() else set()
    with pytest.raises(DomainError, match="附件“坏.jpg”的内容与扩展名不符"):
        register_contact(_input(cast, [("信.pdf", PDF), ("坏.jpg", PNG)]), actor=cast.desk_a)
    assert not Petition.objects.exists() and not Contact.objects.exists() and not Attachment.objects.exists()
    after = set(os.listdir(settings.MEDIA_ROOT / "attachments")) if (settings.MEDIA_ROOT / "attachments").exists() else set()
    assert after == before


def test_a_failure_after_files_were_written_removes_them(cast, monkeypatch):
    import petitions.services as services

    written = []
    original = services._store_attachments

    def store_then_fail(contact, checked, actor, stored):  # noqa: ANN001, ANN202
        original(contact, checked, actor, stored)
        written.extend(a.file.path for a in stored)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_store_attachments", store_then_fail)
    with pytest.raises(RuntimeError):
        register_contact(_input(cast, [("信.pdf", PDF)]), actor=cast.desk_a)
    assert written and not any(os.path.exists(p) for p in written)
    assert not Petition.objects.exists() and not Attachment.objects.exists()


def test_form_upload_and_wrong_type_message(client, cast):
    client.force_login(cast.desk_a)
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    page = client.post("/petitions/register/", {**form_data([{"name": "张三", "phone": "13800000001"}]),
                                                "attachments": [bad]}).content.decode()
    assert "附件“病毒.exe”的类型不允许。" in page and not Petition.objects.exists()
    good = [SimpleUploadedFile("信.pdf", PDF), SimpleUploadedFile("照片.jpg", JPG)]
    response = client.post("/petitions/register/", {**form_data([{"name": "张三", "phone": "13800000001"}]),
                                                    "attachments": good})
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["信.pdf", "照片.jpg"]


def test_download_is_scoped_like_the_matter(cast):
    contact = register_contact(_input(cast, [("信.pdf", PDF)]), actor=cast.desk_a)
    attachment = contact.attachments.get()
    codes = status_by_user(cast, "get", f"/petitions/attachments/{attachment.pk}/")
    assert codes == {"desk_a": 200, "officer": 200, "leader": 200, "analyst": 200, "admin": 200, "city_officer": 200,
                     "handler_b": 404, "head_b": 404, "outsider_c": 404, "anonymous": 302}
    from xinfang.testing import client_for

    response = client_for(cast.desk_a).get(f"/petitions/attachments/{attachment.pk}/")
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment;" in response["Content-Disposition"]
