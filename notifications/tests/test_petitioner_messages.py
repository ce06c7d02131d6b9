"""Notices to petitioners: one record per address and channel, sent once after commit."""

import pytest
from django.core import mail
from django.db import connection

from notifications.models import PetitionerMessage
from notifications.services import deliver, notify_petitioner, retry_petitioner_message
from notifications.tasks import send_petitioner_message
from petitions.models import Event
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_sms_is_sent_after_commit_once(cast, sms, django_capture_on_commit_callbacks):
    petition = make_petition(cast.town_a, actor=cast.desk_a, phone="13912345678")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [message] = notify_petitioner(petition, text="您的信访事项已受理。", actor=cast.officer)
    assert (message.channel, message.status, message.to) == ("sms", "queued", "13912345678")
    assert sms.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at is not None and message.provider_id == "locmem-1"
    assert [(m.to, m.text) for m in sms.outbox] == [("13912345678", "您的信访事项已受理。")]
    assert send_petitioner_message.enqueue(message.pk).return_value == "sent"  # again: not resent
    assert deliver(message.pk) == "sent"
    assert len(sms.outbox) == 1
    event = Event.objects.get(petition=petition, action="petitioner_notified")
    assert event.note == "告知信访人：短信139****5678（待发送）。"


def test_phone_is_encrypted_at_rest(cast, sms, django_capture_on_commit_callbacks):
    petition = make_petition(cast.town_a, actor=cast.desk_a, phone="13912345678")
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_petitioner(petition, text="告知")
    with connection.cursor() as cursor:
        cursor.execute('SELECT "to" FROM notifications_petitionermessage WHERE id = %s', [message.pk])
        raw = cursor.fetchone()[0]
    assert "13912345678" not in raw and raw
    assert message.masked_to == "139****5678"


def test_no_phone_email_and_portal_are_recorded(cast, sms, django_capture_on_commit_callbacks):
    petition = make_petition(cast.town_a, actor=cast.desk_a, phone="")
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify_petitioner(petition, text="答复意见书已送达", channels=("sms", "email", "portal"))
    assert [(m.channel, m.status, m.error) for m in messages] == [
        ("sms", "skipped", "信访人未留联系电话，无法发送短信。"),
        ("email", "skipped", "信访人未登记电子邮箱，无法发送邮件。"),
        ("portal", "sent", ""),
    ]
    assert sms.outbox == [] and mail.outbox == []


def test_failure_is_recorded_and_can_be_retried(cast, sms, django_capture_on_commit_callbacks):
    petition = make_petition(cast.town_a, actor=cast.desk_a, phone="13900000000")
    sms.fail_numbers.add("13900000000")
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_petitioner(petition, text="告知")
    message.refresh_from_db()
    assert (message.status, message.error, message.sent_at) == ("failed", "号码无法接收短信", None)
    sms.fail_numbers.clear()
    with django_capture_on_commit_callbacks(execute=True):
        retry_petitioner_message(message, actor=cast.officer)
    message.refresh_from_db()
    assert message.status == "sent" and len(sms.outbox) == 1


def test_bad_input_is_refused_and_nothing_saved(cast, sms):
    from core.errors import DomainError

    petition = make_petition(cast.town_a, actor=cast.desk_a)
    with pytest.raises(DomainError, match="告知内容不能为空"):
        notify_petitioner(petition, text="  ")
    with pytest.raises(DomainError, match="未知的告知渠道：fax"):
        notify_petitioner(petition, text="x", channels=("fax",))
    assert PetitionerMessage.objects.count() == 0


def test_console_backend_logs_a_masked_number(cast, settings, caplog, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "notifications.sms.ConsoleSMSBackend"
    petition = make_petition(cast.town_a, actor=cast.desk_a, phone="13912345678")
    with caplog.at_level("INFO", logger="xinfang.sms"), django_capture_on_commit_callbacks(execute=True):
        notify_petitioner(petition, text="已受理")
    assert "139****5678: 已受理" in caplog.text and "13912345678" not in caplog.text
    assert PetitionerMessage.objects.get().status == "sent"
