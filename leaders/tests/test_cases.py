"""包案 (五定): assignment, progress notes, resolution, the monthly list and the 包案化解率 cohort."""

import datetime

import pytest

from core.errors import Conflict, DomainError, NotAllowed
from leaders import selectors, services
from leaders.models import LeaderCase
from orgs.models import Unit
from petitions.models import Event
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def own(cast, petition, due=datetime.date(2026, 3, 31), actor=None):
    return services.assign_case(petition, actor=actor or cast.leader, leader=cast.leader, responsible_unit=cast.unit_b,
                                handler=cast.handler_b, due_on=due, quality_target="案结事了、信访人息访")


def test_five_fixes_are_recorded(cast, matter):
    case = own(cast, matter)
    assert (case.leader, case.responsible_unit, case.handler, case.due_on, case.state, case.outcome) == (
        cast.leader, cast.unit_b, cast.handler_b, datetime.date(2026, 3, 31), "open", "")
    assert Event.objects.get(petition=matter, action="leader_case").note == (
        "领导包案：孙区长；责任单位青山区住房和城乡建设局，责任人赵承办，2026年3月31日前化解；质量要求：案结事了、信访人息访")
    with pytest.raises(DomainError, match="该事项已由孙区长包案（期限2026年3月31日），不能重复包案"):
        own(cast, matter)


def test_case_rules(cast, matter):
    with pytest.raises(NotAllowed, match="无权安排领导包案"):
        own(cast, matter, actor=cast.handler_b)
    with pytest.raises(DomainError, match="化解期限不能早于今天"):
        own(cast, matter, due=datetime.date(2026, 3, 1))
    with pytest.raises(DomainError, match="责任人赵承办不是青山区人力资源和社会保障局的工作人员"):
        services.assign_case(matter, actor=cast.officer, leader=cast.leader, responsible_unit=cast.unit_b2,
                             handler=cast.handler_b, due_on=datetime.date(2026, 3, 31), quality_target="x")
    not_there = make_petition(cast.county_bureau, actor=cast.officer, name="李四", phone="13900000000")
    with pytest.raises(DomainError, match="责任人赵承办看不到该事项"):
        own(cast, not_there)
    with pytest.raises(DomainError, match="请填写质量要求"):
        services.assign_case(matter, actor=cast.officer, leader=cast.leader, responsible_unit=cast.unit_b,
                             handler=cast.handler_b, due_on=datetime.date(2026, 3, 31), quality_target=" ")
    assert LeaderCase.objects.count() == 0
    # An officer may assign a case to a leader.
    assert services.assign_case(matter, actor=cast.officer, leader=cast.leader, responsible_unit=cast.unit_b,
                                handler=cast.handler_b, due_on=datetime.date(2026, 3, 31),
                                quality_target="x").created_by == cast.officer


def test_notes_and_resolution(cast, matter, frozen):
    case = own(cast, matter)
    services.add_case_note(case, actor=cast.handler_b, text="已约谈当事人")
    with pytest.raises(NotAllowed, match="只有包案领导或信访部门可以确认化解结果"):
        services.resolve_case(case, actor=cast.handler_b, outcome="resolved")
    with pytest.raises(DomainError, match="未化解的，请写明原因"):
        services.resolve_case(case, actor=cast.leader, outcome="unresolved")
    frozen.shift(datetime.timedelta(days=5))
    services.resolve_case(case, actor=cast.leader, outcome="resolved")
    case.refresh_from_db()
    assert (case.state, case.outcome, case.resolved_on) == ("closed", "resolved", datetime.date(2026, 3, 7))
    with pytest.raises(Conflict, match="该包案已经结案"):
        services.resolve_case(case, actor=cast.leader, outcome="unresolved", reason="x")
    with pytest.raises(DomainError, match="已结案，不能再记录进展"):
        services.add_case_note(case, actor=cast.leader, text="x")


def make_matter(cast, n):
    from handling import services as lifecycle

    petition = make_petition(cast.county_bureau, actor=cast.officer, title=f"事项{n}", name=f"人{n}",
                             phone=f"1380000{n:04d}")
    lifecycle.accept(petition, actor=cast.officer)
    lifecycle.assign(petition, actor=cast.officer, to_unit=cast.unit_b, report_due_on=datetime.date(2026, 6, 1))
    return petition


def test_resolution_rate_cohort(cast, frozen):
    """Closed cases count in the month they closed, open ones in the month they fall due."""
    cases = [own(cast, make_matter(cast, n), due=due) for n, due in enumerate([
        datetime.date(2026, 3, 20), datetime.date(2026, 3, 25), datetime.date(2026, 3, 28),
        datetime.date(2026, 4, 10), datetime.date(2026, 4, 30)])]
    frozen.shift(datetime.timedelta(days=10))  # 2026-03-12
    services.resolve_case(cases[0], actor=cast.leader, outcome="resolved")
    services.resolve_case(cases[3], actor=cast.leader, outcome="resolved")  # due in April, closed in March
    services.resolve_case(cases[1], actor=cast.leader, outcome="unresolved", reason="诉求过高")
    march = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    april = (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    # March: 0, 3 resolved; 1 unresolved; 2 still open and due in March → 2 of 4.
    assert selectors.leader_case_resolution(cast.officer, *march) == (2, 4)
    # April: only case 4 (open, due in April).
    assert selectors.leader_case_resolution(cast.officer, *april) == (0, 1)
    assert selectors.leader_case_resolution(cast.officer, datetime.date(2026, 3, 1), datetime.date(2026, 4, 30)) == (
        2, 5)
    assert selectors.leader_case_resolution(Unit.objects.filter(pk=cast.unit_b.pk), *march) == (2, 4)
    assert selectors.leader_case_resolution(Unit.objects.filter(pk=cast.unit_b2.pk), *march) == (0, 0)
    assert selectors.leader_case_resolution(cast.outsider_c, *march) == (0, 0)


def test_monthly_list_per_leader(cast, frozen):
    due_march = own(cast, make_matter(cast, 1), due=datetime.date(2026, 3, 20))
    due_may = own(cast, make_matter(cast, 2), due=datetime.date(2026, 5, 20))
    services.resolve_case(due_march, actor=cast.leader, outcome="resolved")
    rows = selectors.monthly_cases(cast.officer, 2026, 3)
    assert [(r.leader_name, [c.pk for c in r.reckoned], [c.pk for c in r.ongoing], r.resolved, r.rate)
            for r in rows] == [("孙区长", [due_march.pk], [due_may.pk], 1, 100.0)]
    assert selectors.monthly_cases(cast.officer, 2026, 2) == []


def test_resolution_cohort_is_the_cases_behind_the_rate(cast, frozen):
    """leader_case_cohort lists exactly the cases leader_case_resolution counts (statistics drills into it)."""
    cases = [own(cast, make_matter(cast, n), due=due) for n, due in enumerate([
        datetime.date(2026, 3, 20), datetime.date(2026, 3, 25), datetime.date(2026, 4, 10)])]
    frozen.shift(datetime.timedelta(days=10))  # 2026-03-12
    services.resolve_case(cases[0], actor=cast.leader, outcome="resolved")
    services.resolve_case(cases[2], actor=cast.leader, outcome="resolved")  # due in April, closed in March
    march = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    units = Unit.objects.filter(pk=cast.unit_b.pk)
    cohort = selectors.leader_case_cohort(units, *march)
    assert set(cohort.values_list("pk", flat=True)) == {cases[0].pk, cases[1].pk, cases[2].pk}
    assert set(cohort.filter(outcome="resolved").values_list("petition_id", flat=True)) == {
        cases[0].petition_id, cases[2].petition_id}
    assert selectors.leader_case_resolution(units, *march) == (2, 3)
    april = selectors.leader_case_cohort(units, datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    assert not april.exists()  # case 2 was closed in March, so it is reckoned there
    assert not selectors.leader_case_cohort(cast.outsider_c, *march).exists()
    assert set(selectors.leader_case_cohort(cast.officer, *march).values_list("pk", flat=True)) == {
        c.pk for c in cases}
