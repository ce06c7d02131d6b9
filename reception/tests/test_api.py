"""The reception API: scoped like the pages, the same services, errors with codes and nothing saved."""

import datetime

import pytest
from rest_framework.test import APIClient

from petitions.models import Petition
from reception.models import DutySlot, Ticket
from xinfang.testing import status_by_user

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_queue_through_the_api(cast, setup, frozen):
    officer = api(cast.officer)
    issued = officer.post(f"/api/reception/desks/{setup.desk.pk}/issue/", {"headcount": 2}, format="json")
    assert issued.status_code == 201 and issued.json()["code"] == "A001"
    called = officer.post(f"/api/reception/desks/{setup.desk.pk}/call-next/", {"window": 2}, format="json")
    assert called.status_code == 200 and (called.json()["status"], called.json()["window"]) == ("called", 2)
    ticket_id = called.json()["id"]
    again = officer.post(f"/api/reception/tickets/{ticket_id}/call/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_called"
    assert "不能重复叫号" in again.json()["detail"]
    empty = officer.post(f"/api/reception/desks/{setup.desk.pk}/call-next/", {}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "queue_empty"
    registered = officer.post(f"/api/reception/tickets/{ticket_id}/register/", {
        "name": "张三", "phone": "13812345678", "headcount": 2, "title": "楼道漏水", "content": "三个月"},
        format="json")
    assert registered.status_code == 201 and registered.json()["petition"] == Petition.objects.get().pk
    interview = officer.post(f"/api/reception/tickets/{ticket_id}/interview/", {
        "statement": "漏水", "answer": "转住建局"}, format="json")
    assert interview.status_code == 201 and interview.json()["headcount"] == 2
    board = officer.get(f"/api/reception/centers/{setup.center.pk}/board/").json()
    assert board["now"] is None and board["desks"][0]["waiting"] == 0


def test_lists_are_scoped(cast, setup):
    from reception import services

    services.issue_ticket(setup.desk, actor=cast.officer)
    services.issue_ticket(setup.town_desk, actor=cast.desk_a)
    assert [t["code"] for t in api(cast.desk_a).get("/api/reception/tickets/").json()["results"]] == ["T001"]
    assert sorted(t["code"] for t in api(cast.officer).get("/api/reception/tickets/").json()["results"]) == [
        "A001", "T001"]
    assert api(cast.outsider_c).get("/api/reception/tickets/").json()["results"] == []
    codes = status_by_user(cast, "get", f"/api/reception/centers/{setup.center.pk}/")
    assert codes == {"desk_a": 404, "officer": 200, "handler_b": 403, "head_b": 403, "leader": 200,
                     "outsider_c": 404, "analyst": 403, "admin": 200, "city_officer": 200, "anonymous": 401}
    ticket = Ticket.objects.get(code="A001")
    response = api(cast.desk_a).post(f"/api/reception/tickets/{ticket.pk}/cancel/", {}, format="json")
    assert response.status_code == 404 and Ticket.objects.get(pk=ticket.pk).status == "waiting"


def test_roster_api_and_the_public_list(cast, setup):
    officer = api(cast.officer)
    created = officer.post("/api/reception/duty/", {"date": "2026-03-03", "leader": cast.leader.pk,
                                                    "center": setup.center.pk, "topics": "城建"}, format="json")
    assert created.status_code == 201
    clash = officer.post("/api/reception/duty/", {"date": "2026-03-03", "period": "am", "leader": cast.leader.pk},
                         format="json")
    assert clash.status_code == 400 and clash.json()["code"] == "duty_taken"
    assert "同一时段只能安排一位领导" in clash.json()["detail"]
    assert api(cast.desk_a).post("/api/reception/duty/", {"date": "2026-03-05", "leader": cast.leader.pk},
                                 format="json").status_code == 403
    assert APIClient().get("/api/reception/duty/published/?start=2026-03-02&days=7").json() == []
    assert officer.post("/api/reception/duty/publish/", {"start": "2026-03-01", "end": "2026-03-31"},
                        format="json").json() == {"published": 1}
    public = APIClient().get("/api/reception/duty/published/?start=2026-03-02&days=7").json()
    assert [(e["date"], e["leader_name"], e["topics"]) for e in public] == [("2026-03-03", "孙区长", "城建")]
    swap = officer.post(f"/api/reception/duty/{created.json()['id']}/swap/", {"to_leader": cast.leader.pk,
                                                                             "reason": "x"}, format="json")
    assert swap.status_code == 400 and "已是该日的接访领导" in swap.json()["detail"]
    assert DutySlot.objects.count() == 1


def test_appointment_api_refuses_the_past(cast, setup, matter):
    officer = api(cast.officer)
    past = officer.post("/api/reception/appointments/", {
        "petition": matter.pk, "scheduled_at": "2026-03-01T10:00:00+08:00", "place": "p", "purpose": "x",
        "leader": cast.leader.pk}, format="json")
    assert past.status_code == 400 and past.json()["fields"] == {"scheduled_at": [past.json()["detail"]]}
    hidden = api(cast.outsider_c).post("/api/reception/appointments/", {
        "petition": matter.pk, "scheduled_at": "2026-03-05T10:00:00+08:00", "place": "p", "purpose": "x",
        "host_unit": cast.town_c.pk}, format="json")
    assert hidden.status_code == 404
    ok = officer.post("/api/reception/appointments/", {
        "petition": matter.pk, "scheduled_at": "2026-03-05T10:00:00+08:00", "place": "p", "purpose": "x",
        "leader": cast.leader.pk}, format="json")
    assert ok.status_code == 201 and ok.json()["petition_number"] == matter.number


def test_incident_outreach_and_lawyer_api(cast, setup, matter, frozen):
    officer = api(cast.officer)
    incident = officer.post("/api/reception/incidents/", {
        "center": setup.center.pk, "occurred_at": "2026-03-02T08:30:00+08:00", "kind": "medical",
        "description": "晕倒", "called": "120"}, format="json")
    assert incident.status_code == 201
    assert api(cast.desk_a).get(f"/api/reception/incidents/{incident.json()['id']}/").status_code == 404
    outreach = officer.post("/api/reception/outreach/", {
        "date": "2026-03-02", "place": "东门社区", "team": "李干部", "summary": "现场查看",
        "matters": [{"petition": matter.pk, "resolved": True, "result": "化解"}]}, format="json")
    assert outreach.status_code == 201 and outreach.json()["matters"] == [
        {"petition": matter.pk, "resolved": True, "result": "化解"}]
    lawyer = officer.post("/api/reception/lawyers/", {"center": setup.center.pk, "name": "陈律师", "firm": "青山所"},
                          format="json")
    assert lawyer.status_code == 201
    assert officer.post(f"/api/reception/lawyers/{lawyer.json()['id']}/schedule/", {"date": "2026-03-03"},
                        format="json").status_code == 201
    consult = officer.post("/api/reception/consultations/", {
        "lawyer": lawyer.json()["id"], "topic": "强拆程序", "advice": "申请复议", "petition": matter.pk}, format="json")
    assert consult.status_code == 201


def test_every_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/reception/desks/{id}/call-next/", "/api/reception/tickets/{id}/interview/",
                 "/api/reception/duty/published/", "/api/reception/duty/generate/", "/api/reception/incidents/",
                 "/api/reception/appointments/{id}/complete/", "/api/reception/outreach/",
                 "/api/reception/consultations/"):
        assert path in schema, path


def test_generate_rotation_api(cast, setup):
    response = api(cast.officer).post("/api/reception/duty/generate/", {
        "start": "2026-03-02", "weeks": 1, "leaders": [cast.leader.pk], "weekdays": [0, 1]}, format="json")
    assert response.status_code == 201
    assert [s["date"] for s in response.json()] == [datetime.date(2026, 3, 2).isoformat(), "2026-03-03"]
