"""Appointments (约访) with reminders, outreach (下访), lawyers on duty and incidents at the reception."""

import datetime

import pytest

from core.errors import Conflict, DomainError, NotAllowed
from core.periodic import discover
from notifications.models import Notification, PetitionerMessage
from petitions.models import Event, Petitioner
from reception import services, tasks
from reception.models import Appointment, Incident, Outreach
from reception.services import OutreachMatterInput
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day, hour):
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=TZ)


def test_book_an_appointment_with_a_leader(cast, setup, matter):
    person = Petitioner.objects.get()
    appointment = services.book_appointment(petition=matter, scheduled_at=at(4, 10), place="区接待中心领导接待室",
                                            purpose="面谈拆除进度", actor=cast.officer, leader=cast.leader,
                                            petitioner=person)
    assert (appointment.status, appointment.unit, appointment.host_label) == ("booked", cast.county_bureau, "孙区长")
    assert Event.objects.filter(petition=matter, action="appointment_booked").count() == 1
    assert Notification.objects.filter(recipient=cast.leader, title="约访安排").count() == 1


def test_appointment_bad_input(cast, setup, matter):
    with pytest.raises(DomainError, match=r"约访时间（2026年3月1日10:00）已经过去，请选择今后的时间"):
        services.book_appointment(petition=matter, scheduled_at=at(1, 10), place="p", purpose="x", actor=cast.officer,
                                  leader=cast.leader)
    with pytest.raises(DomainError, match="请选择约访领导或约访单位"):
        services.book_appointment(petition=matter, scheduled_at=at(4, 10), place="p", purpose="x", actor=cast.officer)
    with pytest.raises(DomainError, match="约访领导须为在职的领导账号"):
        services.book_appointment(petition=matter, scheduled_at=at(4, 10), place="p", purpose="x", actor=cast.officer,
                                  leader=cast.head_b)
    other = make_petition(cast.town_c, actor=cast.outsider_c, name="李四", phone="13900000000")
    with pytest.raises(DomainError, match="所选信访人不是该事项的信访人"):
        services.book_appointment(petition=matter, scheduled_at=at(4, 10), place="p", purpose="x", actor=cast.officer,
                                  host_unit=cast.unit_b, petitioner=other.contacts.get().petitioners.get())
    with pytest.raises(NotAllowed, match="无权查看"):
        services.book_appointment(petition=other, scheduled_at=at(4, 10), place="p", purpose="x", actor=cast.desk_a,
                                  host_unit=cast.town_a)
    assert Appointment.objects.count() == 0


def test_reminders_go_out_once_a_day_ahead(cast, setup, matter, frozen, settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemSMSBackend"
    soon = services.book_appointment(petition=matter, scheduled_at=at(3, 8), place="区接待中心", purpose="面谈",
                                     actor=cast.officer, host_unit=cast.unit_b)
    later = services.book_appointment(petition=matter, scheduled_at=at(10, 9), place="区接待中心", purpose="回访",
                                      actor=cast.officer, leader=cast.leader, remind_petitioner=False)
    assert services.send_due_reminders() == 1
    assert services.send_due_reminders() == 0  # idempotent
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    assert set(Notification.objects.filter(title="约访提醒").values_list("recipient__username", flat=True)) == {
        "handler_b", "head_b"}
    sms = PetitionerMessage.objects.get(petition=matter, text__contains="约访定于")
    assert sms.text == f"您好，您的信访事项（编号{matter.number}）约访定于2026年3月3日08:00在区接待中心进行，请准时到达。"
    frozen.move_to(at(9, 10))
    assert tasks.remind_appointments.call() == {"reminded": 1}
    later.refresh_from_db()
    assert later.reminded_at is not None
    assert PetitionerMessage.objects.filter(petition=matter, text__contains="约访定于").count() == 1
    assert ("reception.remind_appointments", 900) in [(j.name, j.every) for j in discover()]


def test_complete_and_cancel(cast, setup, matter):
    a = services.book_appointment(petition=matter, scheduled_at=at(4, 10), place="p", purpose="x", actor=cast.officer,
                                  leader=cast.leader)
    with pytest.raises(DomainError, match="请填写约访结果"):
        services.complete_appointment(a, actor=cast.officer, outcome="")
    services.complete_appointment(a, actor=cast.leader, outcome="当面解释政策，信访人表示理解")
    with pytest.raises(Conflict, match="已办结或已取消"):
        services.cancel_appointment(a, actor=cast.officer, reason="x")
    b = services.book_appointment(petition=matter, scheduled_at=at(5, 10), place="p", purpose="x", actor=cast.officer,
                                  leader=cast.leader)
    assert services.cancel_appointment(b, actor=cast.officer, reason="信访人另约时间").status == "cancelled"


def test_outreach_records_matters_and_results(cast, setup, matter, frozen):
    second = make_petition(cast.county_bureau, actor=cast.officer, title="小区停车位被占", name="王五",
                           phone="13700000000")
    outreach = services.record_outreach(
        day=datetime.date(2026, 3, 2), place="城关街道东门社区", team="孙区长、李干部、住建局赵承办",
        summary="现场查看楼顶搭建和停车位", actor=cast.officer, led_by=cast.leader,
        matters=[OutreachMatterInput(petition=matter, resolved=True, result="当事人同意自行拆除"),
                 OutreachMatterInput(petition=second, result="协调物业，下周答复")])
    assert [(m.petition, m.resolved) for m in outreach.matters.all()] == [(matter, True), (second, False)]
    assert Event.objects.get(petition=matter, action="outreach").note == "下访（2026年3月2日，城关街道东门社区）：当场化解；当事人同意自行拆除"
    with pytest.raises(DomainError, match="下访日期不能晚于今天"):
        services.record_outreach(day=datetime.date(2026, 3, 3), place="x", team="y", summary="z", actor=cast.officer)
    with pytest.raises(DomainError, match="请填写参加人员"):
        services.record_outreach(day=datetime.date(2026, 3, 2), place="x", team="", summary="z", actor=cast.officer)
    hidden = make_petition(cast.town_c, actor=cast.outsider_c, name="赵六", phone="13600000000")
    with pytest.raises(NotAllowed):
        services.record_outreach(day=datetime.date(2026, 3, 2), place="x", team="y", summary="z", actor=cast.desk_a,
                                 matters=[OutreachMatterInput(petition=hidden)])
    assert Outreach.objects.count() == 1


def test_lawyers_on_duty_and_consultations(cast, setup, matter):
    lawyer = services.add_lawyer(setup.center, name="陈律师", firm="青山律师事务所", actor=cast.officer)
    services.schedule_lawyer(lawyer, day=datetime.date(2026, 3, 3), actor=cast.officer)
    with pytest.raises(DomainError, match="陈律师在2026年3月3日已有值班安排"):
        services.schedule_lawyer(lawyer, day=datetime.date(2026, 3, 3), period="am", actor=cast.officer)
    consultation = services.record_consultation(lawyer=lawyer, topic="违章建筑强拆程序", advice="建议申请行政复议",
                                                actor=cast.officer, petition=matter)
    assert consultation.center == setup.center
    assert Event.objects.filter(petition=matter, action="legal_consultation").count() == 1
    with pytest.raises(DomainError, match="请填写律师意见"):
        services.record_consultation(lawyer=lawyer, topic="t", advice="", actor=cast.officer)


def test_incidents_are_recorded_for_staff_safety(cast, setup, frozen):
    incident = services.record_incident(
        center=setup.center, occurred_at=at(2, 8), kind="medical", description="一名来访群众在候访区晕倒",
        actor=cast.officer, room=setup.hall, staff_involved="李干部", called="120", follow_up="已送医")
    assert incident.get_kind_display() == "突发疾病、医疗急救"
    assert Notification.objects.filter(title__startswith="青山区人民来访接待中心现场事件").exists()
    services.add_incident_follow_up(incident, text="回访：已出院", actor=cast.officer)
    incident.refresh_from_db()
    assert incident.follow_up.endswith("李干部] 回访：已出院")
    with pytest.raises(DomainError, match="发生时间不能晚于当前时间"):
        services.record_incident(center=setup.center, occurred_at=at(3, 8), kind="other", description="x",
                                 actor=cast.officer)
    with pytest.raises(DomainError, match="请选择事件类别"):
        services.record_incident(center=setup.center, occurred_at=at(2, 8), kind="blacklist", description="x",
                                 actor=cast.officer)
    assert Incident.objects.count() == 1


def test_incidents_cannot_be_linked_to_people_or_matters():
    """No field of an incident points at a petitioner, a matter, a contact or a ticket (no watch list)."""
    targets = {f.related_model._meta.label for f in Incident._meta.get_fields() if f.is_relation and f.related_model}
    assert targets == {"reception.ReceptionCenter", "reception.Room", "accounts.User"}
