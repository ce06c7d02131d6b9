"""Leaders' pages: the leader's own page shows duty days, instructions and owned cases; the monthly
list; matter pages answer 404 when the matter is invisible; meeting tasks without owners are refused."""

import datetime

import pytest

from leaders import services
from leaders.models import Instruction, MeetingTask
from reception import services as reception
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))


def test_leader_home_shows_duty_instruction_and_case(cast, matter):
    reception.add_duty(unit=cast.county, day=datetime.date(2026, 3, 4), leader=cast.leader, actor=cast.officer,
                       place="区接待中心", topics="城建")
    services.instruct(matter, actor=cast.leader, text="请一周内拆除")
    case = services.assign_case(matter, actor=cast.leader, leader=cast.leader, responsible_unit=cast.unit_b,
                                handler=cast.handler_b, due_on=datetime.date(2026, 3, 31), quality_target="息访")
    codes = status_by_user(cast, "get", "/leaders/")
    assert (codes["leader"], codes["admin"], codes["officer"], codes["handler_b"], codes["anonymous"]) == (
        200, 200, 403, 403, 302)
    page = client_for(cast.leader).get("/leaders/").content.decode()
    assert "2026年3月4日" in page and "城建" in page
    assert "请一周内拆除" in page
    assert f'href="/leaders/cases/{case.pk}/"' in page
    monthly = client_for(cast.leader).get("/leaders/cases/monthly/?month=2026-03").content.decode()
    assert "孙区长" in monthly and matter.number in monthly and "应计 1 件" in monthly


def test_matter_pages_answer_404_when_invisible(cast, matter):
    hidden = make_petition(cast.city_bureau, actor=cast.city_officer, name="李四", phone="13900000000")
    for path in ("instruct", "case", "hearing", "meeting"):
        codes = status_by_user(cast, "get", f"/leaders/matters/{hidden.pk}/{path}/")
        assert codes["leader"] == 404 and codes["officer"] == 404, path
    codes = status_by_user(cast, "get", f"/leaders/matters/{matter.pk}/instruct/")
    assert (codes["leader"], codes["officer"], codes["handler_b"], codes["outsider_c"]) == (200, 403, 403, 404)


def test_instruct_and_respond_through_the_pages(cast, matter):
    response = client_for(cast.leader).post(f"/leaders/matters/{matter.pk}/instruct/", {
        "kind": "instruction", "text": "请住建局抓紧拆除", "respond_by": "2026-03-09"})
    assert response.status_code == 302
    instruction = Instruction.objects.get()
    tasks = client_for(cast.handler_b).get("/leaders/tasks/").content.decode()
    assert "请住建局抓紧拆除" in tasks
    assert client_for(cast.outsider_c).get(f"/leaders/instructions/{instruction.pk}/respond/").status_code == 404
    response = client_for(cast.officer).post(f"/leaders/instructions/{instruction.pk}/respond/", {"text": "已办"})
    assert "该批示请青山区住房和城乡建设局回复" in response.content.decode()
    client_for(cast.handler_b).post(f"/leaders/instructions/{instruction.pk}/respond/", {"text": "已拆除"})
    instruction.refresh_from_db()
    assert instruction.state == "responded"


def test_meeting_task_without_owner_is_refused_on_the_page(cast, matter):
    meeting = services.plan_meeting(matter, actor=cast.officer, held_at=datetime.datetime(2026, 3, 5, 14, tzinfo=TZ),
                                    place="会议室", proposed_plan="方案", invited_units=[cast.unit_b])
    data = {"minutes": "议定事项", "t-TOTAL_FORMS": 2, "t-INITIAL_FORMS": 0,
            "t-0-title": "组织拆除", "t-0-owner": cast.handler_b.pk, "t-0-due_on": "2026-03-15",
            "t-1-title": "反馈信访人", "t-1-due_on": "2026-03-16"}
    response = client_for(cast.officer).post(f"/leaders/meetings/{meeting.pk}/", data)
    assert "第2项任务“反馈信访人”未指定责任人，每项任务都须有责任人" in response.content.decode()
    assert MeetingTask.objects.count() == 0
    data["t-1-owner"] = cast.officer.pk
    assert client_for(cast.officer).post(f"/leaders/meetings/{meeting.pk}/", data).status_code == 302
    page = client_for(cast.handler_b).get("/leaders/tasks/").content.decode()
    assert "组织拆除" in page and "反馈信访人" not in page
    task = MeetingTask.objects.get(owner=cast.handler_b)
    assert client_for(cast.officer).post(f"/leaders/tasks/{task.pk}/done/", {"note": "x"}).status_code == 404
    client_for(cast.handler_b).post(f"/leaders/tasks/{task.pk}/done/", {"note": "已拆除"})
    assert MeetingTask.objects.get(pk=task.pk).state == "done"


def test_hearing_pages(cast, matter, frozen):
    response = client_for(cast.officer).post(f"/leaders/matters/{matter.pk}/hearing/", {
        "scheduled_at": "2026-03-10T09:00", "issue": "听证事项", "place": "区信访局",
        "p-TOTAL_FORMS": 2, "p-INITIAL_FORMS": 0, "p-0-role": "petitioner", "p-0-name": "张三",
        "p-1-role": "public", "p-1-name": "人大代表"})
    assert response.status_code == 302
    hearing_url = response["Location"]
    assert client_for(cast.handler_b).post(hearing_url, {"do": "start"}).status_code == 403
    client_for(cast.officer).post(hearing_url, {"do": "start"})
    page = client_for(cast.officer).get(hearing_url).content.decode()
    assert "听证中" in page and "张三" in page
    codes = status_by_user(cast, "get", hearing_url)
    assert (codes["officer"], codes["handler_b"], codes["outsider_c"]) == (200, 200, 404)


def test_leader_panel_on_the_matter_page_renders(cast, matter, rf):
    from django.template import Context, Template

    services.instruct(matter, actor=cast.leader, text="抓紧")
    request = rf.get("/")
    request.user = cast.officer
    html = Template("{% load leaders %}{% leader_panel petition %}").render(Context({"request": request,
                                                                                    "petition": matter}))
    assert 'data-action="own"' in html and 'data-action="hearing"' in html and 'data-action="instruct"' not in html
