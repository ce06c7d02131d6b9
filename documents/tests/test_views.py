"""Downloads, the matter's document list, delivery and template preview: scoped, audited, 404 when invisible."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from audit.models import Action, AuditEntry
from documents.choices import DocumentKind
from documents.models import Document, DocumentTemplate
from documents.services import render_document
from petitions.choices import Kind
from xinfang.testing import client_for, make_petition, status_by_user

from .helpers import pdf_reader

pytestmark = pytest.mark.django_db

SEES_TOWN_C = {"outsider_c", "officer", "leader", "analyst", "admin", "city_officer"}


@pytest.fixture
def town_c_document(cast):
    petition = make_petition(cast.town_c, actor=cast.outsider_c)
    return render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer, for_petitioner=True)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_download_permissions(cast, town_c_document, fmt):
    codes = status_by_user(cast, "get", f"/documents/{town_c_document.pk}/{fmt}/")
    assert codes == {
        "outsider_c": 200, "officer": 200, "leader": 200, "admin": 200, "city_officer": 200,
        "analyst": 403,  # sees the matter, but not personal data
        "desk_a": 404, "handler_b": 404, "head_b": 404,  # the matter is not theirs
        "anonymous": 302,
    }


def test_anonymous_is_sent_to_login(town_c_document):
    response = client_for(None).get(f"/documents/{town_c_document.pk}/pdf/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/documents/")


def test_unknown_document_is_404(cast):
    assert client_for(cast.admin).get("/documents/999999/pdf/").status_code == 404


def test_accused_unit_cannot_download_documents_of_the_accusation(cast):
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, accused_unit=cast.unit_b)
    document = render_document(accusation, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    codes = status_by_user(cast, "get", f"/documents/{document.pk}/docx/")
    assert codes["handler_b"] == 404 and codes["head_b"] == 404 and codes["officer"] == 200


def test_every_download_is_audited_and_serves_the_file(cast, town_c_document):
    client = client_for(cast.officer)
    response = client.get(f"/documents/{town_c_document.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    with town_c_document.pdf.open("rb") as fh:
        assert body == fh.read()
    assert "信访事项受理告知书" in pdf_reader(body).pages[0].extract_text()
    response = client.get(f"/documents/{town_c_document.pk}/docx/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    entries = AuditEntry.objects.filter(action=Action.VIEW_PERSONAL, object_type="documents.document",
                                        object_id=str(town_c_document.pk)).order_by("id")
    number = town_c_document.petition.number
    assert [(e.actor, e.summary) for e in entries] == [
        (cast.officer, f"下载文书 {town_c_document.doc_number} 信访事项受理告知书（{number}，PDF）"),
        (cast.officer, f"下载文书 {town_c_document.doc_number} 信访事项受理告知书（{number}，DOCX）"),
    ]


def test_refused_downloads_are_not_audited(cast, town_c_document):
    client_for(cast.desk_a).get(f"/documents/{town_c_document.pk}/pdf/")
    client_for(cast.analyst).get(f"/documents/{town_c_document.pk}/pdf/")
    assert not AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).exists()


def test_missing_file_is_404_not_500(cast, town_c_document):
    town_c_document.pdf.storage.delete(town_c_document.pdf.name)
    assert client_for(cast.officer).get(f"/documents/{town_c_document.pk}/pdf/").status_code == 404


def test_petition_document_list(cast, town_c_document):
    url = f"/documents/petition/{town_c_document.petition_id}/"
    codes = status_by_user(cast, "get", url)
    assert {name for name, code in codes.items() if code == 200} == SEES_TOWN_C
    assert codes["desk_a"] == 404 and codes["anonymous"] == 302
    html = client_for(cast.officer).get(url).content.decode()
    assert town_c_document.doc_number in html
    assert f"/documents/{town_c_document.pk}/pdf/" in html
    assert "登记送达" in html
    analyst_html = client_for(cast.analyst).get(url).content.decode()
    assert f"/documents/{town_c_document.pk}/pdf/" not in analyst_html and "无下载权限" in analyst_html


def test_the_list_template_renders_with_the_lead_s_context(cast, town_c_document, rf):
    from django.template.loader import render_to_string

    from documents.selectors import documents_of

    request = rf.get("/")
    request.user = cast.leader
    html = render_to_string("documents/_list.html", {"documents": documents_of(town_c_document.petition)},
                            request=request)
    assert "信访事项受理告知书" in html and "送达信访人" in html
    empty = render_to_string("documents/_list.html", {"documents": []}, request=request)
    assert "暂无文书" in empty


def test_deliver_view(cast, town_c_document):
    url = f"/documents/{town_c_document.pk}/delivered/"
    assert client_for(cast.desk_a).post(url).status_code == 404
    assert client_for(cast.analyst).post(url).status_code == 403
    assert client_for(cast.officer).get(url).status_code == 405
    response = client_for(cast.officer).post(url)
    assert response.status_code == 302 and response["Location"] == f"/petitions/{town_c_document.petition_id}/"
    town_c_document.refresh_from_db()
    assert town_c_document.delivered_at is not None
    assert town_c_document.delivery_method == "直接送达"  # nothing chosen: delivered in person
    again = client_for(cast.officer).post(url, follow=True)
    assert "不能重复登记" in again.content.decode()


def test_deliver_view_records_the_chosen_method_and_the_matter_page_shows_it(cast, town_c_document):
    officer = client_for(cast.officer)
    page = officer.get(f"/petitions/{town_c_document.petition_id}/").content.decode()
    row = page[page.index(f'data-testid="document-{town_c_document.pk}"'):]
    row = row[:row.index("</tr>")]
    assert f'id="delivery-{town_c_document.pk}-method"' in row
    assert re.findall(r'<option value="([^"]+)"', row) == [
        "直接送达", "邮寄送达", "电子送达", "委托送达", "留置送达", "公告送达"]
    assert '<option value="直接送达" selected>' in row
    today = timezone.localdate().isoformat()
    response = officer.post(f"/documents/{town_c_document.pk}/delivered/",
                            {"method": "邮寄送达", "delivered_on": today}, follow=True)
    page = response.content.decode()
    assert f"已登记送达（邮寄送达）：{town_c_document.title}" in page
    town_c_document.refresh_from_db()
    assert town_c_document.delivery_method == "邮寄送达"
    assert timezone.localdate(town_c_document.delivered_at).isoformat() == today
    row = page[page.index(f'data-testid="document-{town_c_document.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "邮寄送达" in row and today in row and "<form" not in row
    assert f"（{town_c_document.doc_number}）已送达（邮寄送达）" in page  # the matter's record


@pytest.mark.parametrize(("data", "message"), [
    ({"method": "托人捎带"}, "未登记送达：选择一个有效的选项。 托人捎带 不在可用的选项中。"),
    ({"method": "邮寄送达", "delivered_on": "2026-13-45"}, "未登记送达：输入一个有效的日期。"),
])
def test_deliver_view_refuses_bad_input_and_changes_nothing(cast, town_c_document, data, message):
    response = client_for(cast.officer).post(f"/documents/{town_c_document.pk}/delivered/", data, follow=True)
    assert message in response.content.decode()
    town_c_document.refresh_from_db()
    assert (town_c_document.delivered_at, town_c_document.delivery_method) == (None, "")


def test_preview_for_admins_only_and_saves_nothing(cast):
    template = DocumentTemplate.objects.get(kind=DocumentKind.REPLY_LETTER, is_active=True)
    url = f"/documents/templates/{template.pk}/preview/"
    codes = status_by_user(cast, "get", url)
    assert codes["admin"] == 200 and codes["officer"] == 403 and codes["anonymous"] == 302
    response = client_for(cast.admin).get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_reader(response.content).pages[0].extract_text()
    assert "信访处理意见书" in text and "K349902-XFJ-2026-000123" in text
    docx = client_for(cast.admin).get(url + "?format=docx")
    assert docx.content[:2] == b"PK"
    assert not Document.objects.exists()


def test_preview_against_a_real_matter_is_scoped_and_audited(cast):
    petition = make_petition(cast.city_bureau, actor=cast.city_officer)
    template = DocumentTemplate.objects.get(kind=DocumentKind.ACCEPTANCE_NOTICE, is_active=True)
    url = f"/documents/templates/{template.pk}/preview/?petition={petition.pk}"
    response = client_for(cast.admin).get(url)
    assert response.status_code == 200
    assert petition.query_code in pdf_reader(response.content).pages[0].extract_text()
    assert AuditEntry.objects.filter(action=Action.VIEW_PERSONAL, object_id=str(petition.pk)).count() == 1
    other = make_petition(cast.province, actor=None)  # outside the admin's city
    assert client_for(cast.admin).get(
        f"/documents/templates/{template.pk}/preview/?petition={other.pk}").status_code == 404


def test_preview_of_a_broken_template_explains_in_chinese(cast):
    broken = DocumentTemplate.objects.create(kind=DocumentKind.GENERIC, name="坏模板", title="通知",
                                             body="{% if %}", is_active=False)
    response = client_for(cast.admin).get(f"/documents/templates/{broken.pk}/preview/")
    assert response.status_code == 400
    assert "正文模板第1行有模板语法错误" in response.content.decode()
