"""Documents through the API: DOCX/PDF download (view_personal, audited like the page) and delivery (送达)."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import issue_token
from audit.models import Action, AuditEntry
from documents.choices import DocumentKind
from documents.models import Document
from documents.services import render_document
from petitions.models import Event
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    return render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer, for_petitioner=True)


def token_client(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return api


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [
    ("pdf", "application/pdf", b"%PDF-"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
])
def test_download_with_a_token_is_audited(cast, document, fmt, content_type, magic):
    response = token_client(cast.officer).get(f"/api/documents/{document.pk}/{fmt}/")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert b"".join(response.streaming_content).startswith(magic)
    entry = AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).get()
    assert entry.actor == cast.officer and entry.object_id == str(document.pk)
    assert entry.summary.startswith(f"下载文书 {document.doc_number}") and fmt.upper() in entry.summary


def test_download_permission_suite(cast, document):
    # County people see the matter; the analyst may not read personal data (403); others get 404.
    codes = status_by_user(cast, "get", f"/api/documents/{document.pk}/pdf/")
    assert codes == {"desk_a": 404, "officer": 200, "handler_b": 404, "head_b": 404, "leader": 200,
                     "outsider_c": 404, "analyst": 403, "admin": 200, "city_officer": 200, "anonymous": 401}
    assert client_for(cast.analyst).get(f"/api/documents/{document.pk}/pdf/").json() == {
        "code": "permission_denied", "detail": "当前账号无权进行此操作。"}
    assert AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).count() == 4


def test_serializer_links_to_the_api_files(cast, document):
    row = client_for(cast.officer).get(f"/api/documents/{document.pk}/").json()
    assert row["pdf_api_url"] == f"http://testserver/api/documents/{document.pk}/pdf/"
    assert row["docx_api_url"] == f"http://testserver/api/documents/{document.pk}/docx/"


def deliver(user, document, body=None):
    return client_for(user).post(f"/api/documents/{document.pk}/deliver/", json.dumps(body or {}),
                                 content_type="application/json")


def test_deliver_today_by_default_then_409(cast, document):
    response = deliver(cast.officer, document)
    assert response.status_code == 200
    delivered = response.json()["delivered_at"]
    assert delivered is not None
    assert timezone.localdate(datetime.datetime.fromisoformat(delivered)) == timezone.localdate()
    assert Event.objects.filter(petition=document.petition, action="document_delivered").count() == 1
    again = deliver(cast.officer, document)
    assert again.status_code == 409
    assert again.json() == {"code": "conflict",
                            "detail": f"该文书已于{timezone.localdate():%Y-%m-%d}登记送达，不能重复登记。"}


def test_deliver_on_a_date(cast, document):
    today = timezone.localdate()
    response = deliver(cast.officer, document, {"delivered_on": today.isoformat()})
    assert response.status_code == 200
    document.refresh_from_db()
    assert timezone.localtime(document.delivered_at).date() == today


def test_deliver_with_a_method(cast, document):
    assert client_for(cast.officer).get(f"/api/documents/{document.pk}/").json()["delivery_method"] == ""
    response = deliver(cast.officer, document, {"method": "电子送达"})
    assert response.status_code == 200 and response.json()["delivery_method"] == "电子送达"
    assert Document.objects.get(pk=document.pk).delivery_method == "电子送达"
    event = Event.objects.get(petition=document.petition, action="document_delivered")
    assert event.data == {"document": document.pk, "method": "电子送达"}


def test_deliver_without_a_method_is_direct(cast, document):
    assert deliver(cast.officer, document).json()["delivery_method"] == "直接送达"


def test_an_unknown_method_is_400(cast, document):
    response = deliver(cast.officer, document, {"method": "托人捎带"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"method"}
    assert Document.objects.get(pk=document.pk).delivered_at is None


@pytest.mark.parametrize(("body", "status", "fields"), [
    ({"delivered_on": "tomorrow"}, 400, "invalid"),
    ({"delivered_on": "2026-13-45"}, 400, "invalid"),
])
def test_malformed_dates_are_400(cast, document, body, status, fields):
    response = deliver(cast.officer, document, body)
    assert response.status_code == status and response.json()["code"] == fields
    assert set(response.json()["fields"]) == {"delivered_on"}
    assert Document.objects.get(pk=document.pk).delivered_at is None


def test_dates_outside_the_allowed_range(cast, document):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = deliver(cast.officer, document, {"delivered_on": tomorrow.isoformat()})
    assert response.status_code == 400
    assert response.json() == {"code": "domain_error", "detail": "送达日期不能晚于今天。",
                                "fields": {"on": ["送达日期不能晚于今天。"]}}
    before = timezone.localdate(document.created_at) - datetime.timedelta(days=3)
    response = deliver(cast.officer, document, {"delivered_on": before.isoformat()})
    assert response.status_code == 400 and response.json()["detail"] == "送达日期不能早于文书生成日期。"
    assert deliver(cast.officer, document, [1, 2]).status_code == 400
    assert Document.objects.get(pk=document.pk).delivered_at is None
    assert not Event.objects.filter(action="document_delivered").exists()


def test_deliver_permission_suite(cast, document):
    # Not visible: 404; visible but neither triage nor handle (leader, analyst): 403; nothing changes.
    allowed = {"officer", "city_officer", "admin"}  # admin is a superuser
    codes = {name: deliver(user, document).status_code
             for name, user in {**cast.staff, "anonymous": None}.items() if name not in allowed}
    assert codes == {"desk_a": 404, "handler_b": 404, "head_b": 404, "leader": 403, "outsider_c": 404,
                     "analyst": 403, "anonymous": 401}
    assert client_for(cast.leader).post(f"/api/documents/{document.pk}/deliver/").json() == {
        "code": "permission_denied", "detail": "当前角色无权登记文书送达。"}
    assert Document.objects.get(pk=document.pk).delivered_at is None
    for name in sorted(allowed):
        Document.objects.filter(pk=document.pk).update(delivered_at=None)
        assert deliver(getattr(cast, name), document).status_code == 200, name
