"""The deadlines API: a matter's clocks, due-soon list, 催办 and 督办, scoped like the matter page."""

import datetime
import json

import pytest

from deadlines.choices import ClockKind
from deadlines.models import Clock, SupervisionOrder
from handling import services as handling
from notifications.models import Notification
from petitions.models import Event
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def matter(cast, frozen):
    return make_petition(cast.county_bureau, actor=cast.officer, title="小区楼顶违章搭建无人处理")


def post(user, url, body):
    return client_for(user).post(url, json.dumps(body), content_type="application/json")


def test_a_matters_clocks(cast, matter, frozen):
    rows = client_for(cast.officer).get(f"/api/clocks/?petition={matter.pk}").json()["results"]
    clock = Clock.objects.get(petition=matter)
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == clock.pk and row["kind"] == "triage" and row["kind_label"] == "登记转送交办"
    assert row["unit_name"] == "青山区信访局" and row["petition_number"] == matter.number
    assert row["started_on"] == "2026-03-02" and row["due_on"] == clock.due_on.isoformat()
    assert row["state"] == "running" and row["state_label"] == "计时中"
    assert row["days_left"] == (clock.due_on - datetime.date(2026, 3, 2)).days
    assert row["is_overdue"] is False and row["status_text"] == f"剩余{row['days_left']}日"
    frozen.move_to(clock.due_on + datetime.timedelta(days=2))
    row = client_for(cast.officer).get(f"/api/clocks/{clock.pk}/").json()
    assert row["days_left"] == -2 and row["is_overdue"] is True and row["status_text"] == "已逾期2日"


def test_clocks_are_scoped_like_the_matter(cast, matter):
    clock = Clock.objects.get(petition=matter)
    assert status_by_user(cast, "get", f"/api/clocks/{clock.pk}/") == {
        "desk_a": 404, "officer": 200, "handler_b": 404, "head_b": 404, "leader": 200, "outsider_c": 404,
        "analyst": 200, "admin": 200, "city_officer": 200, "anonymous": 401}
    assert client_for(cast.handler_b).get(f"/api/clocks/?petition={matter.pk}").json()["count"] == 0
    handling.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    kinds = {r["kind"]: r["state"] for r in client_for(cast.handler_b).get(
        f"/api/clocks/?petition={matter.pk}").json()["results"]}
    assert kinds["triage"] == "met" and kinds[ClockKind.ACCEPTANCE_NOTICE] == "running"
    running = client_for(cast.handler_b).get(f"/api/clocks/?petition={matter.pk}&state=running").json()
    assert {r["kind"] for r in running["results"]} == {k for k, state in kinds.items() if state == "running"}
    assert client_for(cast.handler_b).get("/api/clocks/?state=nope").status_code == 400


def test_due_soon(cast, matter, frozen):
    clock = Clock.objects.get(petition=matter)
    api = client_for(cast.officer)
    assert api.get("/api/clocks/due-soon/?within_days=3").json()["count"] == 0
    frozen.move_to(clock.due_on - datetime.timedelta(days=2))
    api = client_for(cast.officer)  # a new login: the session of two weeks ago has expired
    assert [r["id"] for r in api.get("/api/clocks/due-soon/").json()["results"]] == [clock.pk]
    assert client_for(cast.desk_a).get("/api/clocks/due-soon/").json()["count"] == 0
    for bad in ("-1", "abc", "61", "9" * 30):
        response = api.get(f"/api/clocks/due-soon/?within_days={bad}")
        assert response.status_code == 400
        assert response.json()["detail"] == "within_days 须为 0 到 60 之间的整数。"


def test_remind(cast, matter):
    before = Notification.objects.count()
    response = post(cast.officer, "/api/clocks/remind/", {"petitions": [matter.pk]})
    assert response.status_code == 200
    sent = Notification.objects.count() - before
    assert response.json() == {"petitions": 1, "clocks": 1, "notifications": sent} and sent >= 1
    assert Event.objects.filter(petition=matter, action="deadline_reminder").count() == 1
    assert Clock.objects.get(petition=matter).reminded_at is not None


def test_remind_permission_and_bad_bodies(cast, matter):
    codes = status_by_user(cast, "post", "/api/clocks/remind/", json.dumps({"petitions": [matter.pk]}),
                           content_type="application/json")
    assert codes == {"desk_a": 403, "officer": 200, "handler_b": 403, "head_b": 403, "leader": 403,
                     "outsider_c": 403, "analyst": 403, "admin": 200, "city_officer": 200, "anonymous": 401}
    events = Event.objects.filter(action="deadline_reminder").count()
    for body in ({}, {"petitions": []}, {"petitions": ["x"]}, {"petitions": [2**70]}, [1]):
        response = post(cast.officer, "/api/clocks/remind/", body)
        assert response.status_code == 400 and response.json()["code"] == "invalid", body
    assert Event.objects.filter(action="deadline_reminder").count() == events


def test_remind_ignores_matters_the_supervisor_cannot_see(cast, frozen):
    # A matter of the city bureau is not visible to the county officer: nothing happens, nothing is revealed.
    city = make_petition(cast.city_bureau, actor=cast.city_officer)
    response = post(cast.officer, "/api/clocks/remind/", {"petitions": [city.pk]})
    assert response.status_code == 200 and response.json() == {"petitions": 0, "clocks": 0, "notifications": 0}
    assert not Event.objects.filter(action="deadline_reminder").exists()
    assert Clock.objects.get(petition=city).reminded_at is None


@pytest.fixture
def transferred(cast, matter):
    handling.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    return matter


def test_issue_and_list_supervision_orders(cast, transferred):
    clock = Clock.objects.get(petition=transferred, kind=ClockKind.ACCEPTANCE_NOTICE)
    before = Notification.objects.count()
    response = post(cast.officer, "/api/supervision-orders/",
                    {"petition": transferred.pk, "clock": clock.pk, "note": "请三日内书面告知是否受理", "level": 2})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["unit"] == cast.unit_b.pk and body["unit_name"] == "青山区住房和城乡建设局"
    assert body["level"] == 2 and body["level_label"] == "二级督办（属地领导）" and body["clock"] == clock.pk
    assert body["issued_by_name"] == "李干部" and body["note"] == "请三日内书面告知是否受理"
    assert Notification.objects.count() > before
    assert Event.objects.filter(petition=transferred, action="supervision_order").count() == 1
    listed = client_for(cast.handler_b).get(f"/api/supervision-orders/?petition={transferred.pk}").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert client_for(cast.desk_a).get("/api/supervision-orders/").json()["count"] == 0
    assert status_by_user(cast, "get", f"/api/supervision-orders/{body['id']}/") == {
        "desk_a": 404, "officer": 200, "handler_b": 200, "head_b": 200, "leader": 200, "outsider_c": 404,
        "analyst": 200, "admin": 200, "city_officer": 200, "anonymous": 401}


def test_supervision_order_goes_to_the_unit_of_the_soonest_clock_like_the_page(cast, transferred):
    soonest = Clock.objects.filter(petition=transferred, state="running").order_by("due_on", "id").first()
    response = post(cast.officer, "/api/supervision-orders/", {"petition": transferred.pk, "note": "抓紧办理"})
    assert response.status_code == 201
    assert response.json()["clock"] == soonest.pk and response.json()["unit"] == soonest.unit_id
    assert response.json()["level"] == 1
    # Without a running clock: the unit handling the matter (the registering office before any transfer).
    Clock.objects.filter(petition=transferred).update(state="met")
    response = post(cast.officer, "/api/supervision-orders/", {"petition": transferred.pk, "note": "抓紧办理"})
    assert response.json()["clock"] is None and response.json()["unit"] == transferred.handling_unit_id
    # A unit cannot be named freely: the field is not part of the request (ignored).
    response = post(cast.officer, "/api/supervision-orders/", {"petition": transferred.pk, "note": "x",
                                                               "unit": cast.province.pk})
    assert response.json()["unit"] == transferred.handling_unit_id


def test_supervision_order_permission_suite(cast, transferred):
    body = json.dumps({"petition": transferred.pk, "note": "抓紧办理"})
    codes = {}
    for name, user in {**cast.staff, "anonymous": None}.items():
        if name in ("officer", "city_officer", "admin"):
            continue
        codes[name] = client_for(user).post("/api/supervision-orders/", body,
                                            content_type="application/json").status_code
    assert codes == {"desk_a": 404, "handler_b": 403, "head_b": 403, "leader": 403, "outsider_c": 404,
                     "analyst": 403, "anonymous": 401}
    assert not SupervisionOrder.objects.exists()
    for name in ("officer", "city_officer", "admin"):
        assert client_for(getattr(cast, name)).post("/api/supervision-orders/", body,
                                                    content_type="application/json").status_code == 201


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"note": "x"}, "petition", None),
    ({"note": "   "}, "note", None),
    ({"level": 3, "note": "x"}, "level", None),
    ({"clock": "abc", "note": "x"}, "clock", None),
])
def test_bad_supervision_bodies_save_nothing(cast, transferred, body, field, detail):
    if field != "petition":
        body = {"petition": transferred.pk, **body}
    response = post(cast.officer, "/api/supervision-orders/", body)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {field}
    assert not SupervisionOrder.objects.exists()


def test_supervision_order_rules_from_the_service(cast, matter, transferred):
    other = make_petition(cast.county_bureau, actor=cast.officer, title="另一件")
    foreign = Clock.objects.get(petition=other)
    response = post(cast.officer, "/api/supervision-orders/", {"petition": transferred.pk, "clock": foreign.pk,
                                                               "note": "x"})
    assert response.status_code == 400
    assert response.json() == {"code": "domain_error", "detail": "所选期限不属于该事项。",
                                "fields": {"clock": ["所选期限不属于该事项。"]}}
    assert post(cast.officer, "/api/supervision-orders/", [1]).status_code == 400
    assert not SupervisionOrder.objects.exists()
