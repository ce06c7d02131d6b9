from __future__ import annotations

import pytest

from documents.choices import DocumentKind
from documents.services import render_document
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db


def test_list_is_scoped_and_filters_by_petition(cast):
    town_a = make_petition(cast.town_a, actor=cast.desk_a)
    town_c = make_petition(cast.town_c, actor=cast.outsider_c)
    a1 = render_document(town_a, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    a2 = render_document(town_a, DocumentKind.TRANSFER_SLIP, actor=cast.officer)
    c1 = render_document(town_c, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)

    def ids(user, query=""):
        response = client_for(user).get(f"/api/documents/{query}")
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids(cast.officer) == [c1.pk, a2.pk, a1.pk]
    assert ids(cast.desk_a) == [a2.pk, a1.pk]
    assert ids(cast.outsider_c) == [c1.pk]
    assert ids(cast.handler_b) == []
    assert ids(cast.officer, f"?petition={town_a.pk}") == [a2.pk, a1.pk]
    assert ids(cast.desk_a, f"?petition={town_c.pk}") == []


def test_detail_fields_and_scoping(cast):
    petition = make_petition(cast.town_c, actor=cast.outsider_c)
    document = render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer, for_petitioner=True)
    codes = status_by_user(cast, "get", f"/api/documents/{document.pk}/")
    assert codes["desk_a"] == 404 and codes["outsider_c"] == 200 and codes["anonymous"] == 401
    row = client_for(cast.officer).get(f"/api/documents/{document.pk}/").json()
    assert row["petition"] == petition.pk and row["petition_number"] == petition.number
    assert row["kind"] == "acceptance_notice" and row["kind_label"] == "受理告知书"
    assert row["doc_number"] == document.doc_number and row["title"] == "信访事项受理告知书"
    assert row["office_name"] == "青山区信访局" and row["for_petitioner"] is True and row["delivered_at"] is None
    assert row["pdf_url"] == f"http://testserver/documents/{document.pk}/pdf/"
    assert row["docx_url"] == f"http://testserver/documents/{document.pk}/docx/"


def test_api_is_read_only(cast):
    petition = make_petition(cast.town_a, actor=cast.desk_a)
    document = render_document(petition, DocumentKind.GENERIC, actor=cast.officer)
    client = client_for(cast.admin)
    assert client.post("/api/documents/", {}).status_code == 405
    assert client.delete(f"/api/documents/{document.pk}/").status_code == 405
