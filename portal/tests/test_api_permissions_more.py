"""The permission suite over the API endpoints added for attachments, imports, document files and
delivery, clocks and supervision orders: each cast member's exact status, and nothing changes for
those refused. (The apps' own test_api_* modules test behaviour; this is the role matrix.)"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines.models import Clock, SupervisionOrder
from documents.choices import DocumentKind
from documents.models import Document
from documents.services import render_document
from petitions.models import Attachment, Event, ImportJob
from portal.tests.test_api_permissions import COUNTY, EVERYONE, expect
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
SUPERVISORS = {"officer", "city_officer", "admin"}  # supervise capability (admin is a superuser)
IMPORTERS = {"officer", "city_officer", "admin"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def matter(cast, frozen):
    return make_petition(cast.county_bureau, actor=cast.officer, title="小区楼顶违章搭建无人处理")


def each(cast, request, *, skip=()):
    """Status per user of `request(client)` with a fresh body each time (uploads are read to the end)."""
    return {name: request(client_for(user)).status_code for name, user in {**cast.staff, "anonymous": None}.items()
            if name not in skip}


@pytest.mark.parametrize("url", ["/api/attachments/", "/api/clocks/", "/api/clocks/due-soon/",
                                 "/api/supervision-orders/"])
def test_new_collections_are_for_staff(cast, url):
    assert status_by_user(cast, "get", url) == expect(EVERYONE)


def test_imports_are_for_importers(cast):
    assert status_by_user(cast, "get", "/api/imports/") == expect(IMPORTERS)
    codes = each(cast, lambda c: c.post("/api/imports/", {"file": SimpleUploadedFile("a.csv", b"x")}))
    assert codes == expect(IMPORTERS, ok_status=202)
    assert ImportJob.objects.count() == len(IMPORTERS)


def test_attachments(cast, matter):
    codes = each(cast, lambda c: c.post("/api/attachments/", {"petition": matter.pk,
                                                              "files": SimpleUploadedFile("a.pdf", PDF)}))
    # register/triage/handle and sees the matter: 201; sees it but may not add (leader, analyst): 403.
    assert codes == expect({"officer", "city_officer", "admin"}, ok_status=201, visible=COUNTY)
    assert Attachment.objects.count() == 3
    assert Event.objects.filter(action="attachment_added").count() == 3
    attachment = Attachment.objects.first()
    for url in (f"/api/attachments/{attachment.pk}/", f"/api/attachments/{attachment.pk}/download/"):
        assert status_by_user(cast, "get", url) == expect(COUNTY, visible=COUNTY), url


def test_document_files_and_delivery(cast, matter):
    document = render_document(matter, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    for fmt in ("pdf", "docx"):
        # The analyst sees the matter but may not read personal data.
        assert status_by_user(cast, "get", f"/api/documents/{document.pk}/{fmt}/") == expect(
            COUNTY - {"analyst"}, visible=COUNTY)
    url = f"/api/documents/{document.pk}/deliver/"
    # The roles that may record it (triage or handle) and see it: checked last, as one success changes the row.
    refused = each(cast, lambda c: c.post(url, "{}", content_type="application/json"), skip=SUPERVISORS)
    assert refused == {k: v for k, v in expect(SUPERVISORS, visible=COUNTY).items() if k not in SUPERVISORS}
    assert Document.objects.get(pk=document.pk).delivered_at is None
    assert client_for(cast.officer).post(url).status_code == 200


def test_clocks_and_supervision(cast, matter):
    clock = Clock.objects.get(petition=matter)
    assert status_by_user(cast, "get", f"/api/clocks/{clock.pk}/") == expect(COUNTY, visible=COUNTY)
    codes = each(cast, lambda c: c.post("/api/clocks/remind/", json.dumps({"petitions": [matter.pk]}),
                                        content_type="application/json"))
    assert codes == expect(SUPERVISORS)
    body = json.dumps({"petition": matter.pk, "note": "抓紧办理"})
    codes = each(cast, lambda c: c.post("/api/supervision-orders/", body, content_type="application/json"))
    assert codes == expect(SUPERVISORS, ok_status=201, visible=COUNTY)
    assert SupervisionOrder.objects.count() == len(SUPERVISORS)
    order = SupervisionOrder.objects.first()
    assert status_by_user(cast, "get", f"/api/supervision-orders/{order.pk}/") == expect(COUNTY, visible=COUNTY)


def test_new_endpoints_are_in_the_schema(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path, methods in {
        "/api/attachments/": {"get", "post"}, "/api/attachments/{id}/": {"get"},
        "/api/attachments/{id}/download/": {"get"}, "/api/imports/": {"get", "post"}, "/api/imports/{id}/": {"get"},
        "/api/imports/{id}/run/": {"post"}, "/api/documents/{id}/pdf/": {"get"}, "/api/documents/{id}/docx/": {"get"},
        "/api/documents/{id}/deliver/": {"post"}, "/api/clocks/": {"get"}, "/api/clocks/{id}/": {"get"},
        "/api/clocks/due-soon/": {"get"}, "/api/clocks/remind/": {"post"}, "/api/supervision-orders/": {"get", "post"},
        "/api/supervision-orders/{id}/": {"get"},
    }.items():
        assert set(paths[path]) - {"parameters"} == methods, path
    upload = paths["/api/attachments/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    listed = paths["/api/clocks/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["$ref"].endswith("PaginatedClockList")
