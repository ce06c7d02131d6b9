"""The queue: numbers per desk per day, call next in order, recall, skip, requeue, registration of
the visit through the ticket, the interview, and the times kept for statistics."""

import datetime

import pytest

from audit.models import AuditEntry
from core.errors import Conflict, DomainError, NotAllowed
from petitions.models import Contact, Event, Petition
from petitions.services import PersonInput, RegistrationInput
from reception import selectors, services
from reception.models import Interview, Ticket

pytestmark = pytest.mark.django_db


def visit(title="楼道漏水无人修", name="张三"):
    return RegistrationInput(channel="letter", receiving_unit=None, title=title, content=f"{title}，请求处理。",
                             people=[PersonInput(name=name, phone="13812345678")])


def test_numbers_are_per_desk_and_per_day(cast, setup, frozen):
    a1 = services.issue_ticket(setup.desk, actor=cast.officer)
    a2 = services.issue_ticket(setup.desk, actor=cast.officer, headcount=3, note="三人同行")
    l1 = services.issue_ticket(setup.leader_desk, actor=cast.officer)
    assert [a1.code, a2.code, l1.code] == ["A001", "A002", "L001"]
    assert (a2.headcount, a2.note, a2.status, a2.day) == (3, "三人同行", "waiting", datetime.date(2026, 3, 2))
    frozen.shift(datetime.timedelta(days=1))
    assert services.issue_ticket(setup.desk, actor=cast.officer).code == "A001"
    assert AuditEntry.objects.filter(object_type="reception.ticket", action="create").count() == 4


def test_call_next_takes_the_lowest_waiting_number_once(cast, setup, frozen):
    tickets = [services.issue_ticket(setup.desk, actor=cast.officer) for _ in range(3)]
    frozen.shift(datetime.timedelta(minutes=7))
    first = services.call_next(setup.desk, actor=cast.officer, window=2)
    assert (first.pk, first.status, first.window, first.called_by) == (tickets[0].pk, "called", 2, cast.officer)
    assert first.waiting_minutes == 7
    second = services.call_next(setup.desk, actor=cast.officer)
    assert second.pk == tickets[1].pk
    with pytest.raises(Conflict, match="A001号当前状态为“已叫号”，已被叫过或不在候访，不能重复叫号"):
        services.call_ticket(tickets[0], actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    with pytest.raises(DomainError, match="当前没有候访的号"):
        services.call_next(setup.desk, actor=cast.officer)
    with pytest.raises(DomainError, match="窗口号应为1至2"):
        services.call_next(setup.desk, actor=cast.officer, window=3)


def test_recall_skip_requeue_and_cancel(cast, setup, frozen):
    ticket = services.issue_ticket(setup.desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    frozen.shift(datetime.timedelta(minutes=2))
    ticket = services.recall(ticket, actor=cast.officer)
    assert ticket.recall_count == 1 and ticket.last_called_at > ticket.called_at
    ticket = services.skip(ticket, actor=cast.officer)
    assert ticket.status == "skipped"
    with pytest.raises(Conflict, match="当前状态为“过号”，不能重呼"):
        services.recall(ticket, actor=cast.officer)
    first_call = ticket.called_at
    ticket = services.requeue(ticket, actor=cast.officer)
    assert ticket.status == "waiting"
    frozen.shift(datetime.timedelta(minutes=3))
    again = services.call_next(setup.desk, actor=cast.officer)
    assert again.pk == ticket.pk and again.called_at == first_call  # the wait is measured to the first call
    other = services.issue_ticket(setup.desk, actor=cast.officer)
    assert services.cancel_ticket(other, actor=cast.officer).status == "cancelled"
    with pytest.raises(DomainError, match="当前没有候访的号"):
        services.call_next(setup.desk, actor=cast.officer)


def test_only_reception_staff_of_the_area_operate_the_queue(cast, setup):
    with pytest.raises(NotAllowed, match="无权进行接待中心的操作"):
        services.issue_ticket(setup.desk, actor=cast.handler_b)
    with pytest.raises(NotAllowed, match="不在您的工作范围内"):
        services.issue_ticket(setup.desk, actor=cast.desk_a)
    assert services.issue_ticket(setup.town_desk, actor=cast.desk_a).code == "T001"
    with pytest.raises(NotAllowed, match="不在您的工作范围内"):
        services.issue_ticket(setup.town_desk, actor=cast.outsider_c)
    assert Ticket.objects.count() == 1


def test_register_visit_from_the_ticket_links_the_contact(cast, setup, frozen):
    ticket = services.issue_ticket(setup.desk, actor=cast.officer, headcount=2)
    with pytest.raises(DomainError, match="叫号后方可登记"):
        services.register_visit(ticket, visit(), actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    ticket.refresh_from_db()
    data = visit()
    data.headcount = 2
    contact = services.register_visit(ticket, data, actor=cast.officer)
    ticket.refresh_from_db()
    assert ticket.contact == contact and ticket.status == "serving"
    assert (contact.channel, contact.receiving_unit, contact.headcount) == ("visit", cast.county_bureau, 2)
    assert Event.objects.filter(petition=contact.petition, action="reception_ticket").count() == 1
    with pytest.raises(Conflict, match="A001号已关联登记"):
        services.register_visit(ticket, visit("另一件事"), actor=cast.officer)
    assert Petition.objects.count() == 1


def test_a_failed_link_rolls_the_registration_back(cast, setup):
    """Two clerks register the same ticket at once: the loser's matter must not remain."""
    ticket = services.issue_ticket(setup.desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    ticket.refresh_from_db()
    stale = Ticket.objects.get(pk=ticket.pk)
    services.register_visit(ticket, visit(), actor=cast.officer)
    with pytest.raises(Conflict, match="已关联登记"):
        services.register_visit(stale, visit("第二份登记"), actor=cast.officer)
    assert list(Petition.objects.values_list("title", flat=True)) == ["楼道漏水无人修"]
    assert Contact.objects.count() == 1


def test_link_a_visit_registered_on_the_registration_page(cast, setup, matter):
    ticket = services.issue_ticket(setup.desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    ticket.refresh_from_db()
    contact = services.unlinked_visit_contact(cast.officer, ticket, matter.number)
    assert contact == matter.contacts.get()
    services.link_contact(ticket, contact, actor=cast.officer)
    assert Ticket.objects.get(pk=ticket.pk).contact == contact
    assert services.unlinked_visit_contact(cast.officer, ticket, matter.number) is None
    other = services.issue_ticket(setup.desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    other.refresh_from_db()
    with pytest.raises(Conflict, match="已关联到另一个号"):
        services.link_contact(other, contact, actor=cast.officer)


def test_interview_finishes_the_visit_and_writes_the_matter_event(cast, setup, frozen):
    ticket = services.issue_ticket(setup.desk, actor=cast.officer)
    frozen.shift(datetime.timedelta(minutes=10))
    services.call_next(setup.desk, actor=cast.officer)
    ticket.refresh_from_db()
    contact = services.register_visit(ticket, visit(), actor=cast.officer)
    ticket.refresh_from_db()
    with pytest.raises(DomainError, match="请填写答复解释的内容"):
        services.record_interview(ticket, actor=cast.officer, statement="楼道漏水", answer=" ")
    frozen.shift(datetime.timedelta(minutes=25))
    interview = services.record_interview(ticket, actor=cast.officer, statement="楼道漏水三个月",
                                          answer="已登记，转住建局处理", next_steps="15日内告知是否受理")
    ticket.refresh_from_db()
    assert ticket.status == "done" and interview.minutes == 25 and interview.petition == contact.petition
    assert interview.leader is None and interview.headcount == 1
    event = Event.objects.get(petition=contact.petition, action="interview")
    assert event.note == "接谈（A001号，25分钟）：已登记，转住建局处理"
    with pytest.raises(DomainError, match="当前状态为“已接待”，叫号后方可记录接谈"):
        services.record_interview(ticket, actor=cast.officer, statement="x", answer="y")
    times = selectors.queue_times(cast.officer, datetime.date(2026, 3, 2), datetime.date(2026, 3, 2))
    desk_a = next(row for row in times if row.desk_id == setup.desk.pk)
    assert (desk_a.issued, desk_a.called, desk_a.served, desk_a.avg_wait_minutes,
            desk_a.avg_interview_minutes) == (1, 1, 1, 10.0, 25.0)


def test_interview_without_registration_is_allowed_and_has_no_matter(cast, setup):
    """A visitor who only asks a question: the interview is kept, no matter is made up."""
    ticket = services.issue_ticket(setup.desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    ticket.refresh_from_db()
    interview = services.record_interview(ticket, actor=cast.officer, statement="咨询社保转移", answer="告知到人社局窗口办理")
    assert interview.petition is None and Interview.objects.count() == 1 and Petition.objects.count() == 0


def test_the_display_board_shows_codes_only(cast, setup, frozen):
    for _ in range(3):
        services.issue_ticket(setup.desk, actor=cast.officer)
    services.issue_ticket(setup.leader_desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer, window=2)
    data = selectors.board(setup.center, datetime.date(2026, 3, 2))
    assert data["now"].code == "A001" and data["now"].window == 2
    assert [(row["desk"].prefix, row["waiting"], row["next"]) for row in data["desks"]] == [
        ("A", 2, ["A002", "A003"]), ("L", 1, ["L001"])]
