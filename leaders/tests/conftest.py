import datetime

import pytest

from handling import services as lifecycle
from xinfang.testing import frozen, make_petition

__all__ = ["frozen"]


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The deadline engine caches holiday tables and the default rule pack per process; each test's
    database is rolled back or flushed underneath it."""
    from deadlines import calendar

    calendar.clear_local_cache()
    yield
    calendar.clear_local_cache()


@pytest.fixture
def deadline_tables(transactional_db):  # noqa: ANN001, ANN201
    """Transactional tests flush the rule packs and holiday tables that migrations load (and
    serialized rollback breaks when other transactional tests ran first): put them back."""
    from deadlines import calendar
    from deadlines.holidays import load_years
    from deadlines.models import CalendarDay, ClockRule, HolidayYear, RulePack
    from deadlines.packs import install

    install(RulePack, ClockRule)
    load_years(HolidayYear, CalendarDay)
    calendar.clear_local_cache()


@pytest.fixture
def matter(cast, frozen):
    """A matter registered at the county 信访局, assigned to unit B and acknowledged there."""
    petition = make_petition(cast.county_bureau, actor=cast.officer, title="小区楼顶违章搭建无人处理")
    lifecycle.accept(petition, actor=cast.officer)
    lifecycle.assign(petition, actor=cast.officer, to_unit=cast.unit_b, report_due_on=datetime.date(2026, 4, 1))
    lifecycle.acknowledge(petition, actor=cast.handler_b)
    return petition


def to_review(petition, cast, frozen, *, final):
    """Reply, deliver, and request review (and, with `final`, decide it and request final review)."""
    lifecycle.draft_reply(petition, actor=cast.handler_b, complaint="要求拆除", facts="属实", opinion="support",
                          opinion_text="责令拆除")
    lifecycle.approve_reply(petition, actor=cast.head_b)
    lifecycle.deliver(petition, actor=cast.handler_b)
    frozen.shift(datetime.timedelta(days=2))
    lifecycle.request_review(petition, actor=cast.officer, reasons="不服")
    if final:
        lifecycle.decide_review(petition, actor=cast.leader, outcome="uphold", decision_text="维持")
        frozen.shift(datetime.timedelta(days=2))
        lifecycle.request_review(petition, actor=cast.officer, reasons="仍不服", final=True)
    petition.refresh_from_db()
    return petition
