import pytest
from rest_framework.test import APIClient

from handling.actions import ACTIONS
from petitions.models import Petition
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_action_is_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for spec in ACTIONS:
        assert f"/api/petitions/{{id}}/{spec.name}/" in schema, spec.name


def test_triage_and_handling_through_the_api(cast, matter):
    officer = api(cast.officer)
    response = officer.post(f"/api/petitions/{matter.pk}/accept/", {"note": "受理"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    response = officer.post(f"/api/petitions/{matter.pk}/transfer/", {"to_unit": cast.unit_b.pk}, format="json")
    assert response.json()["handling_unit"] == cast.unit_b.pk
    handler = api(cast.handler_b)
    offered = [a["name"] for a in handler.get(f"/api/petitions/{matter.pk}/actions/").json()]
    assert offered == ["acknowledge", "object"]
    assert handler.post(f"/api/petitions/{matter.pk}/acknowledge/", {}, format="json").status_code == 200
    response = handler.post(f"/api/petitions/{matter.pk}/extend/", {"days": 45, "reason": "复杂"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "days" in response.json()["fields"]


def test_api_errors_have_codes_and_change_nothing(cast, matter):
    officer = api(cast.officer)
    response = officer.post(f"/api/petitions/{matter.pk}/deliver/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("事项当前状态为“已登记”")
    stale = officer.post(f"/api/petitions/{matter.pk}/accept/", {"version": 99}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert Petition.objects.get(pk=matter.pk).status == "registered"


def test_action_on_invisible_matter_is_404(cast, frozen):
    theirs = make_petition(cast.town_c, actor=cast.outsider_c)
    codes = status_by_user(cast, "post", f"/api/petitions/{theirs.pk}/accept/", data={}, content_type="application/json")
    assert codes["desk_a"] == 404 and codes["handler_b"] == 404
    assert codes["anonymous"] == 401
    page_codes = status_by_user(cast, "get", f"/handling/{theirs.pk}/accept/")
    assert page_codes["desk_a"] == 404 and page_codes["officer"] == 200 and page_codes["anonymous"] == 302


def test_action_page_runs_the_service_and_shows_errors(cast, matter):
    client = client_for(cast.officer)
    page = client.get(f"/handling/{matter.pk}/decline/")
    assert "不予受理" in page.content.decode()
    response = client.post(f"/handling/{matter.pk}/decline/", {"version": matter.version, "reasons": " "})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    response = client.post(f"/handling/{matter.pk}/decline/", {"version": matter.version, "reasons": "不属受理范围"})
    assert response.status_code == 302
    assert Petition.objects.get(pk=matter.pk).status == "declined"
    stale = client.post(f"/handling/{matter.pk}/archive/", {"version": matter.version})
    assert "请刷新后查看最新状态再操作" in stale.content.decode()


def test_panel_lists_only_the_actions_for_this_user(cast, matter):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = cast.officer
    html = Template("{% load lifecycle %}{% lifecycle_panel petition %}").render(
        Context({"request": request, "petition": matter}))
    assert 'data-action="accept"' in html and 'data-action="transfer"' in html
    assert 'data-action="acknowledge"' not in html
    request.user = cast.handler_b
    html = Template("{% load lifecycle %}{% lifecycle_panel petition %}").render(
        Context({"request": request, "petition": matter}))
    assert "当前没有需要您办理的操作" in html
