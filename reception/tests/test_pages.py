"""The reception pages: who may open what (permission suite), and the desk's flow through the pages."""

import datetime

import pytest

from petitions.models import Petition
from reception import services
from reception.models import DutySlot, Incident, Ticket
from xinfang.testing import client_for, status_by_user

pytestmark = pytest.mark.django_db

NO_CAPABILITY = {"handler_b": 403, "head_b": 403, "analyst": 403, "anonymous": 302}


def test_home_is_for_reception_staff(cast, setup):
    assert status_by_user(cast, "get", "/reception/") == {
        "desk_a": 200, "officer": 200, "leader": 200, "outsider_c": 200, "admin": 200, "city_officer": 200,
        **NO_CAPABILITY}
    page = client_for(cast.desk_a).get("/reception/").content.decode()
    assert "城关街道接待站" in page and "青山区人民来访接待中心" not in page


@pytest.mark.parametrize("path", ["/reception/centers/{c}/", "/reception/centers/{c}/display/",
                                  "/reception/centers/{c}/display/board/", "/reception/desks/{d}/",
                                  "/reception/desks/{d}/queue/"])
def test_centre_pages_are_scoped_to_the_area(cast, setup, path):
    url = path.format(c=setup.center.pk, d=setup.desk.pk)
    assert status_by_user(cast, "get", url) == {
        "desk_a": 404, "outsider_c": 404, "officer": 200, "leader": 200, "admin": 200, "city_officer": 200,
        **NO_CAPABILITY}


def test_ticket_page_and_actions_outside_the_area_are_404_and_change_nothing(cast, setup):
    ticket = services.issue_ticket(setup.desk, actor=cast.officer)
    codes = status_by_user(cast, "get", f"/reception/tickets/{ticket.pk}/")
    assert (codes["desk_a"], codes["outsider_c"], codes["officer"], codes["handler_b"]) == (404, 404, 200, 403)
    client = client_for(cast.desk_a)
    assert client.post(f"/reception/desks/{setup.desk.pk}/call/", {"window": 1}).status_code == 404
    assert client.post(f"/reception/tickets/{ticket.pk}/cancel/").status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"


def test_the_desk_flow_through_the_pages(cast, setup, frozen):
    client = client_for(cast.officer)
    response = client.post(f"/reception/desks/{setup.desk.pk}/issue/", {"headcount": 2})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.code == "A001"
    frozen.shift(datetime.timedelta(minutes=4))
    response = client.post(f"/reception/desks/{setup.desk.pk}/call/", {"window": 2}, follow=True)
    assert "请 A001 号到 登记窗口 2号窗口" in response.content.decode()
    board = client.get(f"/reception/centers/{setup.center.pk}/display/board/").content.decode()
    assert 'data-testid="now-code">A001<' in board and "2号窗口" in board
    # A second call of the same ticket is refused with the reason, and changes nothing.
    response = client.post(f"/reception/tickets/{ticket.pk}/call/", follow=True)
    assert "A001号当前状态为“已叫号”，已被叫过或不在候访，不能重复叫号" in response.content.decode()
    response = client.post(f"/reception/tickets/{ticket.pk}/", {
        "do": "register", "visit-name": "张三", "visit-phone": "13812345678", "visit-headcount": 2,
        "visit-kind": "claim", "visit-title": "楼道漏水无人修", "visit-content": "楼道漏水三个月"}, follow=True)
    petition = Petition.objects.get()
    assert f"已登记：{petition.number}" in response.content.decode()
    assert (petition.channel, petition.receiving_unit, petition.headcount) == ("visit", cast.county_bureau, 2)
    frozen.shift(datetime.timedelta(minutes=12))
    response = client.post(f"/reception/tickets/{ticket.pk}/", {
        "do": "interview", "interview-statement": "楼道漏水", "interview-answer": "已登记转住建局",
        "interview-next_steps": "15日内告知"}, follow=True)
    assert "A001 接谈已记录，本次接待结束" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "done" and ticket.interview.minutes == 12


def test_registration_errors_are_shown_and_nothing_is_saved(cast, setup):
    ticket = services.issue_ticket(setup.desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    client = client_for(cast.officer)
    response = client.post(f"/reception/tickets/{ticket.pk}/", {
        "do": "register", "visit-name": "张三", "visit-headcount": 1, "visit-kind": "accusation",
        "visit-title": "检举村干部", "visit-content": "侵占补偿款"})
    assert "检举控告事项须登记被检举人或被检举单位" in response.content.decode()
    response = client.post(f"/reception/tickets/{ticket.pk}/", {
        "do": "register", "visit-name": "张三", "visit-headcount": 1, "visit-kind": "claim", "visit-title": "t",
        "visit-content": "c", "visit-attach_to": "NO-SUCH"})
    assert "事项“NO-SUCH”不存在、不可见或已办结，不能并入" in response.content.decode()
    response = client.post(f"/reception/tickets/{ticket.pk}/", {"do": "interview", "interview-statement": "x",
                                                                 "interview-answer": ""})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    assert Petition.objects.count() == 0 and Ticket.objects.get(pk=ticket.pk).status == "called"


def test_display_page_has_no_inline_script_or_style(cast, setup):
    response = client_for(cast.officer).get(f"/reception/centers/{setup.center.pk}/display/")
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert f'hx-get="/reception/centers/{setup.center.pk}/display/board/"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_roster_page_generate_and_permissions(cast, setup):
    codes = status_by_user(cast, "get", "/reception/roster/")
    assert (codes["leader"], codes["desk_a"], codes["handler_b"], codes["anonymous"]) == (200, 200, 403, 302)
    data = {"do": "rotation", "rot-start": "2026-03-02", "rot-weeks": 1, "rot-weekdays": ["0", "2"],
            "rot-leaders": [cast.leader.pk], "rot-period": "full", "rot-skip_holidays": "on"}
    assert client_for(cast.desk_a).post("/reception/roster/?month=2026-03", data).status_code == 403
    response = client_for(cast.officer).post("/reception/roster/?month=2026-03", data, follow=True)
    assert "已生成2个接访日" in response.content.decode()
    response = client_for(cast.officer).post("/reception/roster/?month=2026-03", data)
    assert "以下日期已有领导接访安排：2026年3月2日、2026年3月4日" in response.content.decode()
    assert DutySlot.objects.count() == 2
    page = client_for(cast.desk_a).get("/reception/roster/?month=2026-03").content.decode()
    assert 'data-testid="slot-2026-03-02"' in page  # the town's desk sees the county leaders' days


def test_swap_page_needs_a_reason(cast, setup):
    from accounts.roles import Role
    from accounts.services import create_user

    other = create_user(username="l2", password="x", unit=cast.county, role=Role.LEADER, full_name="周副区长",
                        check_password=False)
    slot = services.add_duty(unit=cast.county, day=datetime.date(2026, 3, 3), leader=cast.leader, actor=cast.officer)
    client = client_for(cast.officer)
    response = client.post(f"/reception/roster/{slot.pk}/", {"to_leader": other.pk, "reason": ""})
    assert "请填写调班原因" in response.content.decode()
    client.post(f"/reception/roster/{slot.pk}/", {"to_leader": other.pk, "reason": "出差"})
    assert DutySlot.objects.get(pk=slot.pk).leader == other


def test_appointment_in_the_past_is_refused_on_the_page(cast, setup, matter):
    client = client_for(cast.officer)
    response = client.post("/reception/appointments/", {
        "number": matter.number, "scheduled_at": "2026-03-01T10:00", "place": "接待中心", "purpose": "面谈",
        "leader": cast.leader.pk, "remind_petitioner": "on"})
    assert "已经过去，请选择今后的时间" in response.content.decode()
    response = client.post("/reception/appointments/", {
        "number": matter.number, "scheduled_at": "2026-03-03T10:00", "place": "接待中心", "purpose": "面谈",
        "leader": cast.leader.pk}, follow=True)
    assert "约访已安排" in response.content.decode()
    response = client_for(cast.outsider_c).post("/reception/appointments/", {
        "number": matter.number, "scheduled_at": "2026-03-03T10:00", "place": "p", "purpose": "x",
        "host_unit": cast.town_c.pk})
    assert f"事项“{matter.number}”不存在或无权查看" in response.content.decode()


def test_incident_page_records_and_scopes(cast, setup, frozen):
    client = client_for(cast.officer)
    response = client.post("/reception/incidents/", {
        "center": setup.center.pk, "occurred_at": "2026-03-02T08:30", "kind": "violence",
        "description": "一人在大厅推搡工作人员", "staff_involved": "李干部", "called": "110"}, follow=True)
    assert "现场事件已记录" in response.content.decode()
    incident = Incident.objects.get()
    codes = status_by_user(cast, "get", f"/reception/incidents/{incident.pk}/")
    assert (codes["officer"], codes["desk_a"], codes["outsider_c"], codes["handler_b"]) == (200, 404, 404, 403)


def test_outreach_and_lawyer_pages(cast, setup, matter, frozen):
    client = client_for(cast.officer)
    response = client.post("/reception/outreach/", {
        "o-day": "2026-03-02", "o-place": "东门社区", "o-team": "李干部", "o-summary": "现场查看",
        "m-TOTAL_FORMS": 1, "m-INITIAL_FORMS": 0, "m-0-number": matter.number, "m-0-resolved": "on",
        "m-0-result": "当场化解"}, follow=True)
    assert "下访已登记" in response.content.decode()
    assert "当场化解" in client.get("/reception/outreach/").content.decode()
    response = client.post("/reception/lawyers/", {"do": "lawyer", "l-center": setup.center.pk, "l-name": "陈律师",
                                                   "l-firm": "青山律师事务所"}, follow=True)
    assert "陈律师" in response.content.decode()
    assert client_for(cast.desk_a).post("/reception/lawyers/", {"do": "lawyer"}).status_code == 403


def test_stats_page(cast, setup):
    codes = status_by_user(cast, "get", "/reception/stats/")
    assert (codes["officer"], codes["analyst"], codes["handler_b"]) == (200, 200, 403)


def test_centre_set_up_through_the_pages(cast, setup):
    client = client_for(cast.officer)
    response = client.post("/reception/centers/new/", {"unit": cast.town_c.pk, "name": "河西镇接待站"})
    assert response.status_code == 302
    from reception.models import ReceptionCenter

    town_c = ReceptionCenter.objects.get(name="河西镇接待站")
    url = f"/reception/centers/{town_c.pk}/"
    client.post(url, {"do": "room", "room-name": "接待室", "room-kind": "registration"})
    room = town_c.rooms.get()
    response = client.post(url, {"do": "desk", "desk-room": room.pk, "desk-name": "综合窗口", "desk-letters": "b",
                                 "desk-windows": 1})
    assert response.status_code == 302
    desk = town_c.desks.get()
    assert desk.prefix == "B"
    response = client.post(url, {"do": "desk", "desk-room": room.pk, "desk-name": "二号", "desk-letters": "B",
                                 "desk-windows": 1})
    assert "号码前缀“B”已被本中心其他窗口使用" in response.content.decode()
    client.post(url, {"do": "station", "station-desk": desk.pk, "station-unit": cast.unit_b.pk,
                      "station-weekdays": ["0", "3"]})
    assert desk.stations.get().weekday_labels == "周一、周四"
    assert client_for(cast.outsider_c).post(url, {"do": "room", "room-name": "x", "room-kind": "legal"}).status_code == 403
    assert client_for(cast.desk_a).get("/reception/centers/new/").status_code == 403


def test_hall_screen_link_needs_no_login_and_can_be_rotated(cast, setup, frozen):
    from django.test import Client

    ticket = services.issue_ticket(setup.desk, actor=cast.officer, note="张三，腿脚不便")
    services.call_next(setup.desk, actor=cast.officer)
    key = setup.center.display_key
    anonymous = Client()
    page = anonymous.get(f"/reception/screen/{key}/")
    assert page.status_code == 200 and f'hx-get="/reception/screen/{key}/board/"' in page.content.decode()
    board = anonymous.get(f"/reception/screen/{key}/board/").content.decode()
    assert 'data-testid="now-code">A001<' in board and "张三" not in board and ticket.note not in board
    assert anonymous.get("/reception/screen/not-a-key/").status_code == 404
    center_page = client_for(cast.officer).get(f"/reception/centers/{setup.center.pk}/").content.decode()
    assert f"/reception/screen/{key}/" in center_page
    assert client_for(cast.leader).post(f"/reception/centers/{setup.center.pk}/",
                                        {"do": "rotate_screen"}).status_code == 403
    client_for(cast.officer).post(f"/reception/centers/{setup.center.pk}/", {"do": "rotate_screen"})
    assert anonymous.get(f"/reception/screen/{key}/board/").status_code == 404
    setup.center.refresh_from_db()
    assert setup.center.display_key != key
    assert anonymous.get(f"/reception/screen/{setup.center.display_key}/board/").status_code == 200
