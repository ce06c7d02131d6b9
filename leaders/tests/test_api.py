"""The leaders API: scoped by the matter, same services, errors with codes, nothing saved."""

import datetime

import pytest
from rest_framework.test import APIClient

from deadlines.models import Clock
from leaders.models import Instruction, MeetingTask
from leaders.tests.conftest import to_review
from xinfang.testing import make_petition, status_by_user

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_instructions_api(cast, matter):
    created = api(cast.leader).post("/api/leaders/instructions/", {"petition": matter.pk, "text": "抓紧办理"},
                                    format="json")
    assert created.status_code == 201 and created.json()["unit"] == cast.unit_b.pk
    assert api(cast.officer).post("/api/leaders/instructions/", {"petition": matter.pk, "text": "x"},
                                  format="json").status_code == 403
    hidden = make_petition(cast.city_bureau, actor=cast.city_officer, name="李四", phone="13900000000")
    assert api(cast.leader).post("/api/leaders/instructions/", {"petition": hidden.pk, "text": "x"},
                                 format="json").status_code == 404
    pk = created.json()["id"]
    codes = status_by_user(cast, "get", f"/api/leaders/instructions/{pk}/")
    assert (codes["leader"], codes["handler_b"], codes["outsider_c"], codes["anonymous"]) == (200, 200, 404, 401)
    answered = api(cast.handler_b).post(f"/api/leaders/instructions/{pk}/respond/", {"text": "已办"}, format="json")
    assert answered.status_code == 200 and answered.json()["state"] == "responded"
    twice = api(cast.head_b).post(f"/api/leaders/instructions/{pk}/respond/", {"text": "再办"}, format="json")
    assert twice.status_code == 409
    counts = api(cast.officer).get("/api/leaders/instructions/counts/?start=2026-03-01&end=2026-03-31").json()
    assert [(c["leader_name"], c["total"], c["responded"]) for c in counts] == [("孙区长", 1, 1)]
    assert Instruction.objects.count() == 1


def test_cases_api_and_resolution(cast, matter, frozen):
    body = {"petition": matter.pk, "leader": cast.leader.pk, "responsible_unit": cast.unit_b.pk,
            "handler": cast.handler_b.pk, "due_on": "2026-03-20", "quality_target": "息访"}
    created = api(cast.leader).post("/api/leaders/cases/", body, format="json")
    assert created.status_code == 201
    again = api(cast.leader).post("/api/leaders/cases/", body, format="json")
    assert again.status_code == 400 and again.json()["code"] == "already_owned"
    pk = created.json()["id"]
    assert api(cast.handler_b).post(f"/api/leaders/cases/{pk}/notes/", {"text": "已约谈"},
                                    format="json").status_code == 201
    bad = api(cast.leader).post(f"/api/leaders/cases/{pk}/resolve/", {"outcome": "unresolved"}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"] == "未化解的，请写明原因。"
    done = api(cast.leader).post(f"/api/leaders/cases/{pk}/resolve/", {"outcome": "resolved"}, format="json")
    assert done.json()["state"] == "closed"
    assert api(cast.officer).get("/api/leaders/cases/resolution/?start=2026-03-01&end=2026-03-31").json() == {
        "start": "2026-03-01", "end": "2026-03-31", "resolved": 1, "total": 1, "rate": 1.0}


def test_hearing_api_pauses_and_resumes(cast, matter, frozen):
    petition = to_review(matter, cast, frozen, final=True)
    city = api(cast.city_officer)
    created = city.post("/api/leaders/hearings/", {
        "petition": petition.pk, "scheduled_at": "2026-03-10T09:00:00+08:00", "issue": "听证", "place": "市信访局",
        "participants": [{"role": "petitioner", "name": "张三"}, {"role": "lawyer", "name": "陈律师"}]}, format="json")
    assert created.status_code == 201 and len(created.json()["participants"]) == 2
    pk = created.json()["id"]
    before = Clock.objects.get(petition=petition, kind="final_review_decision").due_on
    assert city.post(f"/api/leaders/hearings/{pk}/start/", {}, format="json").json()["paused_clocks"] == [
        "final_review_decision"]
    frozen.shift(datetime.timedelta(days=4))
    concluded = city.post(f"/api/leaders/hearings/{pk}/conclude/", {"minutes": "笔录", "conclusion": "结论"},
                          format="json")
    assert concluded.json()["days"] == 4
    clock = Clock.objects.get(petition=petition, kind="final_review_decision")
    # 30 days from the request fell on Sunday 5 April (Qingming holiday) and rolled to the 7th; with the
    # four hearing days excluded the clock ends on Thursday 9 April.
    assert (before, clock.paused_days, clock.due_on) == (datetime.date(2026, 4, 7), 4, datetime.date(2026, 4, 9))


def test_meeting_api_task_without_owner(cast, matter):
    officer = api(cast.officer)
    meeting = officer.post("/api/leaders/meetings/", {
        "petition": matter.pk, "held_at": "2026-03-05T14:00:00+08:00", "place": "会议室", "proposed_plan": "方案",
        "invited_units": [cast.unit_b.pk]}, format="json")
    assert meeting.status_code == 201
    pk = meeting.json()["id"]
    bad = officer.post(f"/api/leaders/meetings/{pk}/minutes/", {"minutes": "纪要", "tasks": [
        {"title": "拆除", "owner": cast.handler_b.pk, "due_on": "2026-03-15"},
        {"title": "反馈", "due_on": "2026-03-16"}]}, format="json")
    assert bad.status_code == 400 and "第2项任务“反馈”未指定责任人" in bad.json()["detail"]
    assert MeetingTask.objects.count() == 0
    ok = officer.post(f"/api/leaders/meetings/{pk}/minutes/", {"minutes": "纪要", "tasks": [
        {"title": "拆除", "owner": cast.handler_b.pk, "due_on": "2026-03-15"}]}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "held"
    mine = api(cast.handler_b).get("/api/leaders/tasks/").json()["results"]
    assert [t["title"] for t in mine] == ["拆除"]
    assert api(cast.officer).get("/api/leaders/tasks/").json()["results"] == []
    done = api(cast.handler_b).post(f"/api/leaders/tasks/{mine[0]['id']}/complete/", {"note": "已拆除"}, format="json")
    assert done.json()["state"] == "done"


def test_leaders_endpoints_in_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/leaders/instructions/{id}/respond/", "/api/leaders/cases/resolution/",
                 "/api/leaders/hearings/{id}/start/", "/api/leaders/meetings/{id}/minutes/",
                 "/api/leaders/tasks/{id}/complete/"):
        assert path in schema, path
