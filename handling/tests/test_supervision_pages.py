"""The officers' pages for many matters at once: the deadline board with bulk 催办, a person's 督办,
and bulk transfer (each matter in its own transaction, refusals reported with their reasons)."""

import datetime

import pytest

from deadlines.models import Clock, SupervisionOrder
from handling import services as s
from notifications.models import Notification
from petitions.choices import Kind
from petitions.models import Event, Petition
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def transferred(cast, frozen):
    matters = [make_petition(cast.county_bureau, actor=cast.officer, title=f"第{i}件", phone=f"1380000{i:04d}")
               for i in range(3)]
    for matter in matters:
        s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    return matters


def test_board_lists_running_clocks_by_window_and_reminds_in_bulk(cast, transferred, frozen):
    officer = client_for(cast.officer)
    page = officer.get("/deadlines/?window=all")
    assert page.status_code == 200
    body = page.content.decode()
    assert all(m.number in body for m in transferred) and "书面告知受理" in body
    assert officer.get("/deadlines/?window=overdue").content.decode().count("table-danger") == 0
    frozen.shift(datetime.timedelta(days=30))  # the 15-day acceptance notices are now overdue
    officer = client_for(cast.officer)  # a month later: a new session
    overdue = officer.get("/deadlines/?window=overdue").content.decode()
    assert all(m.number in overdue for m in transferred) and "已逾期" in overdue

    response = officer.post("/deadlines/", {"petitions": [transferred[0].pk, transferred[1].pk],
                                            "next_query": "window=overdue"}, follow=True)
    assert "已催办2件事项" in response.content.decode()
    assert Clock.objects.filter(petition__in=transferred[:2], reminded_at__isnull=False).exists()
    assert not Clock.objects.filter(petition=transferred[2], reminded_at__isnull=False).exists()
    assert Notification.objects.filter(recipient=cast.handler_b, title__startswith="催办").count() >= 2
    empty = officer.post("/deadlines/", {"next_query": ""}, follow=True)
    assert "请先勾选要催办的事项" in empty.content.decode()


def test_board_is_for_supervisors_and_scoped(cast, transferred):
    codes = status_by_user(cast, "get", "/deadlines/")
    assert codes["officer"] == codes["city_officer"] == 200
    assert codes["handler_b"] == codes["desk_a"] == codes["analyst"] == 403 and codes["anonymous"] == 302
    board = client_for(cast.city_officer).get("/deadlines/?window=all").content.decode()
    assert all(m.number in board for m in transferred)
    # Reminding a matter one may not see does nothing.
    response = client_for(cast.officer).post("/deadlines/", {"petitions": [999999]}, follow=True)
    assert "未发出催办" in response.content.decode()


def test_a_person_issues_a_supervision_order(cast, transferred):
    matter = transferred[0]
    clock = Clock.objects.get(petition=matter, kind="acceptance_notice")
    officer = client_for(cast.officer)
    page = officer.get(f"/petitions/{matter.pk}/").content.decode()
    assert f"/deadlines/supervise/{matter.pk}/" in page
    form = officer.get(f"/deadlines/supervise/{matter.pk}/?clock={clock.pk}")
    assert form.status_code == 200 and "青山区住房和城乡建设局" in form.content.decode()
    missing = officer.post(f"/deadlines/supervise/{matter.pk}/", {"clock": clock.pk, "level": 1, "note": ""})
    assert missing.status_code == 200 and "该字段是必填项" in missing.content.decode()
    assert not SupervisionOrder.objects.exists()
    done = officer.post(f"/deadlines/supervise/{matter.pk}/", {"clock": clock.pk, "level": 1,
                                                               "note": "请于3日内出具受理告知书并报告"})
    assert done.status_code == 302
    order = SupervisionOrder.objects.get()
    assert (order.unit, order.clock, order.issued_by, order.level) == (cast.unit_b, clock, cast.officer, 1)
    assert Notification.objects.filter(recipient=cast.head_b, title=f"督办：{matter.number}").exists()
    assert Event.objects.filter(petition=matter, action="supervision_order").exists()
    # Not for handlers, and 404 for a matter out of sight.
    assert client_for(cast.handler_b).get(f"/deadlines/supervise/{matter.pk}/").status_code == 403
    assert client_for(cast.city_officer).get(f"/deadlines/supervise/{matter.pk}/").status_code == 200


def test_bulk_transfer_transfers_each_and_reports_refusals(cast, frozen):
    plain = [make_petition(cast.county_bureau, actor=cast.officer, title=f"待分流{i}", phone=f"1390000{i:04d}")
             for i in range(2)]
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, title="检举住建局",
                               accused_unit=cast.unit_b)
    officer = client_for(cast.officer)
    page = officer.get("/handling/bulk-transfer/").content.decode()
    assert all(p.number in page for p in [*plain, accusation])
    response = officer.post("/handling/bulk-transfer/", {
        "petitions": [p.pk for p in [*plain, accusation]], "to_unit": cast.unit_b.pk, "note": "请依法办理"},
        follow=True)
    text = response.content.decode()
    assert "已将2件事项转送青山区住房和城乡建设局" in text
    assert f"{accusation.number} 未转送：检举控告事项不得转送" in text
    assert [Petition.objects.get(pk=p.pk).status for p in plain] == ["in_handling", "in_handling"]
    assert Petition.objects.get(pk=accusation.pk).status == "registered"
    assert not Petition.objects.visible_to(cast.handler_b).filter(pk=accusation.pk).exists()
    nothing = officer.post("/handling/bulk-transfer/", {"to_unit": cast.unit_b.pk})
    assert "请先勾选要转送的事项" in nothing.content.decode()
    assert client_for(cast.handler_b).get("/handling/bulk-transfer/").status_code == 403


def test_bulk_transfer_through_the_api(cast, frozen):
    from rest_framework.test import APIClient

    plain = make_petition(cast.county_bureau, actor=cast.officer, title="待分流")
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, title="检举住建局",
                               accused_unit=cast.unit_b)
    api = APIClient()
    api.force_authenticate(cast.officer)
    response = api.post("/api/bulk-transfers/", {"petitions": [plain.pk, accusation.pk, 999999],
                                                 "to_unit": cast.unit_b.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["done"] == [plain.number]
    assert [f["petition"] for f in body["failed"]] == [accusation.number, "999999"]
    assert "检举控告事项不得转送" in body["failed"][0]["detail"]
    bad = api.post("/api/bulk-transfers/", {"petitions": [], "to_unit": cast.unit_b.pk}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] and "petitions" in bad.json()["fields"]
    api.force_authenticate(cast.handler_b)
    assert api.post("/api/bulk-transfers/", {"petitions": [plain.pk], "to_unit": cast.unit_b.pk},
                    format="json").status_code == 403
