"""Registration → triage → assignment → handling → reply → delivery → review → final review →
finalised, through the services, with every notice produced and every clock started and stopped."""

import datetime

import pytest

from deadlines.models import Clock
from documents.models import Document
from handling import services as s
from handling.choices import DispatchState
from handling.models import Dispatch
from notifications.models import PetitionerMessage
from petitions.models import Petition

pytestmark = pytest.mark.django_db


def clock_states(petition):
    return {c.kind: c.state for c in Clock.objects.filter(petition=petition)}


def doc_kinds(petition):
    return list(Document.objects.filter(petition=petition).order_by("id").values_list("kind", flat=True))


def test_the_whole_path(cast, matter, frozen, sms_outbox):
    assert clock_states(matter) == {"triage": "running"}

    s.accept(matter, actor=cast.officer)
    dispatch = s.assign(matter, actor=cast.officer, to_unit=cast.unit_b, report_due_on=datetime.date(2026, 4, 1),
                        note="请依法处理并报结")
    assert matter.status == "in_handling" and matter.handling_unit == cast.unit_b
    assert clock_states(matter) == {"triage": "met", "acceptance_notice": "running", "report_back": "running"}
    assert Clock.objects.get(petition=matter, kind="report_back").due_on == datetime.date(2026, 4, 1)
    # The handling unit now sees it; the town next door does not.
    assert Petition.objects.visible_to(cast.handler_b).filter(pk=matter.pk).exists()
    assert not Petition.objects.visible_to(cast.outsider_c).filter(pk=matter.pk).exists()

    frozen.shift(datetime.timedelta(days=3))
    s.acknowledge(matter, actor=cast.handler_b)
    handling = Clock.objects.get(petition=matter, kind="handling")
    # 5 March + 60 days = 4 May 2026, inside the May Day holiday (1–5 May): rolls over to Wednesday 6 May.
    assert handling.started_on == datetime.date(2026, 3, 5) and handling.due_on == datetime.date(2026, 5, 6)
    s.add_note(matter, actor=cast.handler_b, text="现场核实：楼顶搭建约20平方米彩钢房。")
    s.draft_reply(matter, actor=cast.handler_b, complaint="要求拆除楼顶违章搭建", facts="经现场核实属实",
                  opinion="support", opinion_text="责令当事人15日内自行拆除，逾期依法强制拆除。",
                  legal_basis="《中华人民共和国城乡规划法》第六十四条")
    s.approve_reply(matter, actor=cast.head_b)
    frozen.shift(datetime.timedelta(days=10))
    reply = s.deliver(matter, actor=cast.handler_b, method="直接送达")
    assert matter.status == "replied" and reply.delivered_on == datetime.date(2026, 3, 15)
    assert reply.review_unit == cast.county
    states = clock_states(matter)
    assert states["handling"] == "met" and states["review_request"] == "running" and states["rating"] == "running"

    s.report_back(matter, actor=cast.handler_b, report="已责令拆除，当事人已于3月20日前自行拆除。")
    s.review_report(matter, actor=cast.officer, passed=True, comment="同意报结")
    assert Dispatch.objects.get(pk=dispatch.pk).state == DispatchState.PASSED

    frozen.shift(datetime.timedelta(days=5))
    review = s.request_review(matter, actor=cast.officer, reasons="对拆除进度不满意")
    assert matter.status == "in_review" and review.reviewing_unit == cast.county
    s.decide_review(matter, actor=cast.leader, outcome="uphold", decision_text="维持原处理意见。")
    assert matter.status == "reviewed"
    final = s.request_review(matter, actor=cast.officer, reasons="仍不服", final=True)
    assert final.reviewing_unit == cast.city
    s.decide_review(matter, actor=cast.city_officer, outcome="uphold", decision_text="维持复查意见。", final=True)
    matter.refresh_from_db()
    assert matter.status == "finalised"

    assert doc_kinds(matter) == [
        "assignment_slip", "acceptance_notice", "reply_letter", "review_decision", "final_review_decision"]
    for document in Document.objects.filter(petition=matter):
        assert document.docx and document.pdf
    # Every decision reached the petitioner, each naming the next remedy.
    texts = list(PetitionerMessage.objects.filter(petition=matter).order_by("id").values_list("text", flat=True))
    assert any("30日内向青山区请求复查" in t for t in texts)
    assert any("30日内向青川市请求复核" in t for t in texts)
    assert any("同一事实和理由不再受理" in t for t in texts)
    assert not Clock.objects.filter(petition=matter, state="running").exclude(kind__in=["rating"]).exists()


def test_transfer_then_direct_closing_after_the_window(cast, matter, frozen):
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    assert clock_states(matter) == {"triage": "met", "acceptance_notice": "running", "objection": "running"}
    s.acknowledge(matter, actor=cast.handler_b)
    assert clock_states(matter)["objection"] == "cancelled"
    s.draft_reply(matter, actor=cast.handler_b, complaint="c", facts="f", opinion="explain", opinion_text="o")
    s.approve_reply(matter, actor=cast.head_b)
    s.deliver(matter, actor=cast.handler_b)
    from core.errors import DomainError

    with pytest.raises(DomainError, match="期满后方可办结"):
        s.close(matter, actor=cast.handler_b)
    frozen.shift(datetime.timedelta(days=31))
    assert s.close_expired() == 1
    matter.refresh_from_db()
    assert matter.status == "closed"
    assert s.close_expired() == 0  # idempotent
    s.archive(matter, actor=cast.officer)
    assert matter.status == "archived"
