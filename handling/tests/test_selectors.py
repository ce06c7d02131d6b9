"""handling.selectors: the matters waiting for triage (批量转送), scoped like every other list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handling import services as s
from handling.selectors import awaiting_triage
from petitions.choices import Kind
from xinfang.testing import client_for, make_petition

pytestmark = pytest.mark.django_db


def test_awaiting_triage_is_registered_or_accepted_oldest_first_and_scoped(cast, frozen):
    older = make_petition(cast.county_bureau, actor=cast.officer, title="先到的", phone="13900000001")
    frozen.shift(datetime.timedelta(hours=1))
    accepted = make_petition(cast.county_bureau, actor=cast.officer, title="已受理待转送", phone="13900000002")
    s.accept(accepted, actor=cast.officer)
    frozen.shift(datetime.timedelta(hours=1))
    transferred = make_petition(cast.county_bureau, actor=cast.officer, title="已转送", phone="13900000003")
    s.transfer(transferred, actor=cast.officer, to_unit=cast.unit_b)
    declined = make_petition(cast.county_bureau, actor=cast.officer, title="不予受理", phone="13900000004")
    s.decline(declined, actor=cast.officer, reasons="不属受理范围")
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, title="检举住建局",
                               accused_unit=cast.unit_b, phone="13900000005")
    town_c = make_petition(cast.town_c, actor=cast.outsider_c, title="河西镇的事", phone="13900000006")

    assert list(awaiting_triage(cast.officer)) == [older, accepted, accusation, town_c]
    assert list(awaiting_triage(cast.outsider_c)) == [town_c]
    assert list(awaiting_triage(cast.desk_a)) == []
    # An accusation about unit B never shows to unit B, whatever its status.
    assert accusation not in awaiting_triage(cast.head_b)


def test_bulk_transfer_page_lists_them_in_constant_queries(cast, frozen):
    officer = client_for(cast.officer)
    make_petition(cast.county_bureau, actor=cast.officer, title="待分流0", phone="13900000010")
    officer.get("/handling/bulk-transfer/")  # warm caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get("/handling/bulk-transfer/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for i in range(1, 6):
        make_petition(cast.county_bureau, actor=cast.officer, title=f"待分流{i}", phone=f"1390000001{i}")
    page = officer.get("/handling/bulk-transfer/").content.decode()
    assert page.count('name="petitions"') == 6
    assert queries() == one
