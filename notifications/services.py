"""Telling people things: in-app notifications to staff, and notices to petitioners (SMS, email,
the portal). Sending to petitioners happens after commit in a background task, once per message."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from core.errors import DomainError, NotAllowed
from core.pii import normalise
from notifications.choices import MessageChannel, MessageStatus, NotificationKind
from notifications.models import Notification, PetitionerMessage
from petitions.choices import Kind
from petitions.models import Petition, Petitioner


@dataclass(frozen=True)
class NewNotification:
    """A notification to create in bulk (the sweep creates thousands at once)."""

    recipient_id: int
    kind: str
    title: str
    body: str = ""
    petition_id: int | None = None
    url: str = ""


def create_notifications(items: Sequence[NewNotification]) -> int:
    """Insert many notifications in a few statements. The caller has checked who may see what."""
    from notifications.bulk import insert_rows

    now = timezone.now()
    return insert_rows(
        Notification, ["recipient", "kind", "title", "body", "petition", "url", "created_at"],
        [(i.recipient_id, i.kind, i.title[:200], i.body, i.petition_id, i.url[:300], now) for i in items],
    )


def _check_kind(kind: str) -> None:
    if kind not in NotificationKind.values:
        raise DomainError(f"未知的通知类型：{kind}", field="kind")


def may_see(user: Any, petition: Petition | None) -> bool:
    """Whether `user` may be told about `petition`. Only accusations need the check (条例 Art. 30 ¶3):
    other matters reach a unit because it holds them."""
    if petition is None or petition.kind != Kind.ACCUSATION:
        return True
    return Petition.objects.visible_to(user).filter(pk=petition.pk).exists()


def notify_user(user: Any, *, title: str, body: str, kind: str, petition: Petition | None = None,
                url: str = "") -> Notification:
    _check_kind(kind)
    if not may_see(user, petition):
        raise NotAllowed("该用户无权查看此事项，不能向其发送有关通知。")
    return Notification.objects.create(recipient=user, title=title[:200], body=body, kind=kind, petition=petition,
                                       url=url[:300])


def notify_unit(unit: Any, *, roles: set[str] | None, title: str, body: str, kind: str,
                petition: Petition | None = None, url: str = "") -> list[Notification]:
    """Notify the active users of `unit` who have one of `roles` (all roles if None). Users who may not
    see the matter (an accusation about them or their unit) are left out."""
    from accounts.models import User

    _check_kind(kind)
    users = User.objects.filter(unit=unit, is_active=True).select_related("unit").order_by("id")
    if roles is not None:
        users = users.filter(role__in=roles)
    recipients = [u for u in users if may_see(u, petition)]
    now = timezone.now()
    return Notification.objects.bulk_create([
        Notification(recipient=u, title=title[:200], body=body, kind=kind, petition=petition, url=url[:300],
                     created_at=now)
        for u in recipients
    ])


def mark_read(notification: Notification, *, user: Any) -> Notification:
    if notification.recipient_id != getattr(user, "pk", None):
        raise NotAllowed("只能标记自己的通知。")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# Petitioners ------------------------------------------------------------------------------------

def _people(petition: Petition) -> list[Petitioner]:
    return list(Petitioner.objects.filter(contact_links__contact__petition=petition).distinct().order_by("id"))


def _addresses(people: Iterable[Petitioner], channel: str) -> list[str]:
    seen: dict[str, str] = {}
    for person in people:
        value = person.phone if channel == MessageChannel.SMS else getattr(person, "email", "")
        if value and normalise(value) not in seen:
            seen[normalise(value)] = value.strip()
    return list(seen.values())


_MISSING = {MessageChannel.SMS: "信访人未留联系电话，无法发送短信。",
            MessageChannel.EMAIL: "信访人未登记电子邮箱，无法发送邮件。"}


@transaction.atomic
def notify_petitioner(petition: Petition, *, text: str, channels: Sequence[str] = ("sms",),
                      actor: Any = None) -> list[PetitionerMessage]:
    """Send `text` to the matter's petitioners through `channels`. One message per address; a
    channel with no address is recorded as "无法发送" so the file shows the notice was attempted.
    SMS and email go out after commit (task `send_petitioner_message`); the portal shows the
    notice at once."""
    from petitions.workflow import record_event

    text = (text or "").strip()
    if not text:
        raise DomainError("告知内容不能为空。", field="text")
    unknown = [c for c in channels if c not in MessageChannel.values]
    if unknown or not channels:
        raise DomainError(f"未知的告知渠道：{'、'.join(unknown) or '（空）'}", field="channels")
    people = _people(petition)
    now = timezone.now()
    messages: list[PetitionerMessage] = []
    for channel in dict.fromkeys(channels):
        if channel == MessageChannel.PORTAL:
            messages.append(PetitionerMessage(petition=petition, channel=channel, text=text, status=MessageStatus.SENT,
                                              sent_at=now))
            continue
        addresses = _addresses(people, channel)
        if not addresses:
            messages.append(PetitionerMessage(petition=petition, channel=channel, text=text,
                                              status=MessageStatus.SKIPPED, error=_MISSING[MessageChannel(channel)]))
        messages += [PetitionerMessage(petition=petition, channel=channel, to=a, text=text) for a in addresses]
    for message in messages:
        message.save()
    queued = [m.pk for m in messages if m.status == MessageStatus.QUEUED]
    summary = "；".join(f"{m.get_channel_display()}{m.masked_to}（{m.get_status_display()}）" for m in messages)
    record_event(petition, actor=actor, action="petitioner_notified", note=f"告知信访人：{summary}。",
                 data={"messages": [m.pk for m in messages]})
    record(actor, Action.CREATE, petition, summary=f"{petition.number} 告知信访人{len(messages)}条",
           data={"messages": [m.pk for m in messages]})
    for pk in queued:
        transaction.on_commit(functools.partial(_enqueue_send, pk))
    return messages


def _enqueue_send(message_id: int) -> None:
    from notifications.tasks import send_petitioner_message

    send_petitioner_message.enqueue(message_id)


@transaction.atomic
def retry_petitioner_message(message: PetitionerMessage, *, actor: Any = None) -> PetitionerMessage:
    """Queue a failed message again."""
    if message.status != MessageStatus.FAILED:
        raise DomainError("只有发送失败的告知可以重发。")
    PetitionerMessage.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.QUEUED, error="")
    message.refresh_from_db()
    record(actor, Action.UPDATE, message, summary=f"重发告知 {message.pk}")
    transaction.on_commit(functools.partial(_enqueue_send, message.pk))
    return message


def deliver(message_id: int) -> str:
    """Send one queued message. Claimed with a conditional UPDATE, so a message goes out at most once
    however often this runs. Returns the message's status afterwards."""
    from django.conf import settings
    from django.core.mail import send_mail

    from notifications.sms import SMSError, get_backend

    claimed = PetitionerMessage.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING)
    if not claimed:
        return PetitionerMessage.objects.filter(pk=message_id).values_list("status", flat=True).first() or "missing"
    message = PetitionerMessage.objects.select_related("petition").get(pk=message_id)
    try:
        if message.channel == MessageChannel.SMS:
            provider_id = get_backend().send(message.to, message.text)
        else:
            send_mail(f"信访事项{message.petition.number}告知", message.text, settings.DEFAULT_FROM_EMAIL, [message.to])
            provider_id = ""
    except (SMSError, OSError) as exc:
        PetitionerMessage.objects.filter(pk=message_id).update(status=MessageStatus.FAILED, error=str(exc)[:500])
        return MessageStatus.FAILED
    PetitionerMessage.objects.filter(pk=message_id).update(status=MessageStatus.SENT, sent_at=timezone.now(),
                                                           provider_id=provider_id)
    return MessageStatus.SENT
