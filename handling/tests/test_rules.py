"""The rules that refuse an action: each answers with a Chinese message naming the rule, and
nothing changes."""

import datetime

import pytest

from core.errors import Conflict, DomainError, NotAllowed
from deadlines.models import Clock
from documents.models import Document
from handling import services as s
from handling.models import Dispatch, Extension
from notifications.models import PetitionerMessage
from petitions.choices import Kind
from petitions.models import Event, Petition
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def snapshot(petition):
    petition = Petition.objects.get(pk=petition.pk)
    return (petition.status, petition.version, petition.handling_unit_id,
            Event.objects.filter(petition=petition).count(), Dispatch.objects.filter(petition=petition).count(),
            Document.objects.filter(petition=petition).count(), Clock.objects.filter(petition=petition).count())


def handled(cast, matter):
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    s.acknowledge(matter, actor=cast.handler_b)
    return matter


def test_accusation_cannot_go_to_the_accused_unit(cast, frozen):
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, accused_unit=cast.unit_b)
    before = snapshot(accusation)
    for action in (s.transfer, s.assign):
        with pytest.raises(NotAllowed, match="不得转送、交办给被检举单位（青山区住房和城乡建设局）或其下属单位"):
            action(accusation, actor=cast.officer, to_unit=cast.unit_b)
    assert snapshot(accusation) == before
    s.transfer(accusation, actor=cast.officer, to_unit=cast.unit_b2)  # another unit is fine


def test_accusation_cannot_go_to_a_unit_the_accused_person_leads(cast, frozen):
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, accused_user=cast.head_b)
    with pytest.raises(NotAllowed, match="被检举人（钱局长）担任负责人的单位（青山区住房和城乡建设局）"):
        s.transfer(accusation, actor=cast.officer, to_unit=cast.unit_b)


def test_wrong_unit_cannot_triage_or_handle(cast, matter):
    before = snapshot(matter)
    with pytest.raises(NotAllowed):  # a handler has no triage capability at all
        s.accept(matter, actor=cast.handler_b)
    with pytest.raises(NotAllowed, match="当前角色（登记员）无权受理该事项"):
        s.accept(matter, actor=cast.desk_a)
    assert snapshot(matter) == before
    handled(cast, matter)
    with pytest.raises(NotAllowed, match="该事项目前由青山区住房和城乡建设局负责，青山区人力资源和社会保障局不能"):
        from accounts.services import create_user

        other = create_user(username="h2", password="x", unit=cast.unit_b2, role="handler", check_password=False)
        from petitions.services import grant_access

        grant_access(matter, cast.unit_b2, "transferred")
        s.add_note(matter, actor=other, text="不是我单位的事")


def test_county_bureau_triages_what_a_town_registered(cast, frozen):
    petition = make_petition(cast.town_a, actor=cast.desk_a)
    s.accept(petition, actor=cast.officer)
    assert petition.status == "accepted"


def test_decline_needs_reasons_and_sends_a_notice(cast, matter, sms_outbox):
    with pytest.raises(DomainError, match="请写明理由") as info:
        s.decline(matter, actor=cast.officer, reasons=" ")
    assert info.value.field == "reasons"
    s.decline(matter, actor=cast.officer, reasons="不属于信访事项受理范围")
    assert matter.status == "declined"
    assert Document.objects.get(petition=matter).kind == "decline_notice"
    assert "不予受理" in PetitionerMessage.objects.get(petition=matter).text


def test_route_to_a_legal_channel(cast, matter):
    s.route(matter, actor=cast.officer, channel="litigation", reasons="属于民事合同纠纷，应向人民法院起诉")
    assert matter.status == "routed"
    assert "诉讼途径" in PetitionerMessage.objects.get(petition=matter).text


def test_merge_moves_contacts_and_counts_as_repeat(cast, matter):
    later = make_petition(cast.county_bureau, actor=cast.officer, title="同一问题再次来访")
    s.merge(later, actor=cast.officer, into=matter)
    matter.refresh_from_db()
    later.refresh_from_db()
    assert (later.status, later.merged_into_id, later.contact_count) == ("merged", matter.pk, 0)
    assert matter.contact_count == 2 and matter.contacts.filter(is_repeat=True).count() == 1


def test_refuse_again_only_after_a_final_review(cast, matter):
    again = make_petition(cast.county_bureau, actor=cast.officer)
    with pytest.raises(DomainError, match="尚未复核终结"):
        s.refuse_again(again, actor=cast.officer, finalised=matter, reasons="同一事实")


def test_objection_within_five_working_days_sends_it_back(cast, matter, frozen):
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    frozen.shift(datetime.timedelta(days=7))  # Monday 2 March + 7 = Monday 9 March: the 5th working day
    s.object_to_transfer(matter, actor=cast.handler_b, reasons="违章搭建查处属城管执法局职责")
    assert (matter.status, matter.handling_unit) == ("accepted", cast.county_bureau)
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b2)  # the office can route it again
    assert matter.handling_unit == cast.unit_b2


def test_late_objection_is_refused_with_the_dates(cast, matter, frozen):
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    frozen.shift(datetime.timedelta(days=8))
    before = snapshot(matter)
    with pytest.raises(DomainError) as info:
        s.object_to_transfer(matter, actor=cast.handler_b, reasons="不属本单位职责")
    assert info.value.message == (
        "对转送的异议应在收到之日起5个工作日内提出。本件收到日期为2026年3月2日，异议期限截至2026年3月9日，已超过期限。")
    assert snapshot(matter) == before


def test_extension_cap_and_approval(cast, matter, sms_outbox):
    handled(cast, matter)
    with pytest.raises(DomainError, match="延期不得超过30日.*本次最多可申请30日"):
        s.request_extension(matter, actor=cast.handler_b, days=31, reason="情况复杂")
    s.request_extension(matter, actor=cast.handler_b, days=20, reason="需要多部门会商")
    due_before = Clock.objects.get(petition=matter, kind="handling").due_on
    assert due_before == datetime.date(2026, 5, 6)  # 2 March + 60 = 1 May, a holiday: rolls to 6 May
    with pytest.raises(NotAllowed, match="当前角色（承办人）无权审批延期"):
        s.decide_extension(matter, actor=cast.handler_b, approve=True)
    assert Clock.objects.get(petition=matter, kind="handling").due_on == due_before
    s.decide_extension(matter, actor=cast.head_b, approve=True)
    # The extension adds to the legal limit (60 + 20 days from 2 March), not to the rolled-over date.
    assert Clock.objects.get(petition=matter, kind="handling").due_on == datetime.date(2026, 5, 21)
    assert Document.objects.filter(petition=matter, kind="extension_notice").count() == 1
    with pytest.raises(DomainError, match="本件已延期20日，本次最多可申请10日"):
        s.request_extension(matter, actor=cast.handler_b, days=11, reason="还要更久")
    assert Extension.objects.filter(petition=matter).count() == 1


def test_reply_requires_acknowledgement_and_head_signature(cast, matter):
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    with pytest.raises(DomainError, match="请先受理"):
        s.draft_reply(matter, actor=cast.handler_b, complaint="c", facts="f", opinion="support", opinion_text="o")
    s.acknowledge(matter, actor=cast.handler_b)
    s.draft_reply(matter, actor=cast.handler_b, complaint="c", facts="f", opinion="support", opinion_text="o")
    with pytest.raises(DomainError, match="须先经单位负责人签发"):
        s.deliver(matter, actor=cast.handler_b)
    with pytest.raises(NotAllowed, match="当前角色（承办人）无权签发答复意见"):
        s.approve_reply(matter, actor=cast.handler_b)


def test_late_review_request_is_refused_with_the_dates(cast, matter, frozen):
    handled(cast, matter)
    s.draft_reply(matter, actor=cast.handler_b, complaint="c", facts="f", opinion="reject", opinion_text="o")
    s.approve_reply(matter, actor=cast.head_b)
    s.deliver(matter, actor=cast.handler_b)  # delivered Monday 2 March 2026
    frozen.shift(datetime.timedelta(days=40))
    before = snapshot(matter)
    with pytest.raises(DomainError) as info:
        s.request_review(matter, actor=cast.officer, reasons="不服")
    assert info.value.message == (
        "复查申请应自收到答复意见之日起30日内提出。本件送达日期为2026年3月2日，申请期限截至2026年4月1日，"
        "申请日期2026年4月11日已超过期限，不予受理。")
    assert snapshot(matter) == before


def test_concurrent_officers_one_wins(cast, matter):
    first = Petition.objects.get(pk=matter.pk)
    second = Petition.objects.get(pk=matter.pk)
    s.transfer(first, actor=cast.officer, to_unit=cast.unit_b)
    with pytest.raises((Conflict, DomainError)):
        s.transfer(second, actor=cast.city_officer, to_unit=cast.unit_b2)
    matter.refresh_from_db()
    assert matter.handling_unit == cast.unit_b
    assert Dispatch.objects.filter(petition=matter).count() == 1


def test_send_back_reopens_handling(cast, matter, frozen):
    s.assign(matter, actor=cast.officer, to_unit=cast.unit_b)
    s.acknowledge(matter, actor=cast.handler_b)
    s.draft_reply(matter, actor=cast.handler_b, complaint="c", facts="f", opinion="support", opinion_text="o")
    s.approve_reply(matter, actor=cast.head_b)
    s.deliver(matter, actor=cast.handler_b)
    s.report_back(matter, actor=cast.handler_b, report="已处理")
    with pytest.raises(DomainError, match="退回重办须写明理由"):
        s.review_report(matter, actor=cast.officer, passed=False)
    s.review_report(matter, actor=cast.officer, passed=False, comment="未附整改照片，请补充")
    assert matter.status == "in_handling"
    assert Clock.objects.get(petition=matter, kind="report_back", state="running")


def test_accept_only_a_registered_matter(cast, matter):
    """Found by the accusation property test: the edge IN_HANDLING → ACCEPTED exists for a transfer
    objected to, and must not let anyone "accept" a matter out of a unit's hands (which then allowed
    a second active dispatch)."""
    s.assign(matter, actor=cast.officer, to_unit=cast.unit_b)
    before = snapshot(matter)
    with pytest.raises(DomainError, match="只有刚登记的事项才能受理"):
        s.accept(matter, actor=cast.city_officer)
    assert snapshot(matter) == before
    with pytest.raises(DomainError):
        s.assign(matter, actor=cast.city_officer, to_unit=cast.unit_b2)
    assert snapshot(matter) == before
