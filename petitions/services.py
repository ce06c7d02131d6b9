"""Use cases that change matters, contacts and petitioners. Views, API, imports, jobs and tests
all call these functions; nothing else writes these tables."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.models import Action
from audit.services import record
from core import pii
from core.errors import Conflict, DomainError
from orgs.choices import Level
from orgs.models import Unit
from petitions import attachments as attachment_checks
from petitions import idcard, numbering, search
from petitions.choices import OPEN_STATUSES, AccessReason, Channel, Kind, PartyRole, Status, VisitLevel
from petitions.models import (
    AccusedParty,
    Attachment,
    Category,
    Contact,
    ContactPerson,
    IdempotencyKey,
    Petition,
    PetitionAccess,
    Petitioner,
)
from petitions.workflow import record_event

QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 10
COLLECTIVE_MIN = 5
MAX_REPRESENTATIVES = 5


@dataclass
class PersonInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    role: str = PartyRole.PETITIONER
    unverified_reason: str = ""
    is_organisation: bool = False


@dataclass
class AccusedInput:
    name: str = ""
    position: str = ""
    unit: Unit | None = None
    user: Any = None


@dataclass
class AttachmentInput:
    name: str
    file: IO[bytes]
    size: int | None = None


@dataclass
class RegistrationInput:
    channel: str
    receiving_unit: Unit
    title: str
    content: str
    received_at: datetime | None = None
    kind: str = Kind.CLAIM
    demands: str = ""
    people: list[PersonInput] = field(default_factory=list)
    headcount: int = 1
    locality: Unit | None = None
    category: Category | None = None
    accused: list[AccusedInput] = field(default_factory=list)
    joint_letter: bool = False
    anonymous: bool = False
    raised_before: bool = False
    raised_before_where: str = ""
    visit_level: str = ""
    source_id: str | None = None
    attachments: list[AttachmentInput] = field(default_factory=list)


def new_query_code() -> str:
    # 32 symbols: every byte's low five bits pick one uniformly (10 symbols ≈ 50 bits).
    return "".join(QUERY_CODE_ALPHABET[b & 31] for b in secrets.token_bytes(QUERY_CODE_LENGTH))


def new_number(unit: Unit, year: int) -> str:
    return numbering.next_number(unit.code, year)


def derive_visit_level(channel: str, receiving_unit: Unit) -> str:
    """The level of the office that received a visit (到县/到市/去省); other channels have none."""
    if channel != Channel.VISIT:
        return ""
    by_level: dict[str, str] = {
        Level.PROVINCE: VisitLevel.PROVINCE,
        Level.CITY: VisitLevel.CITY,
        Level.COUNTY: VisitLevel.COUNTY,
    }
    return by_level.get(receiving_unit.area().level, VisitLevel.LOCAL)


def grant_access(petition: Petition, unit: Unit, reason: str) -> None:
    PetitionAccess.objects.get_or_create(
        petition=petition, unit=unit, defaults={"unit_path": unit.path, "reason": reason}
    )


def find_or_create_petitioner(person: PersonInput) -> Petitioner:
    """立户: reuse a person found by ID (blind index) or by phone + name; otherwise create one."""
    id_info = None
    reason = person.unverified_reason
    if person.id_number:
        try:
            id_info = idcard.parse(person.id_number)
        except idcard.InvalidIdNumber as exc:
            reason = reason or f"身份证号无效：{exc}"
    elif not reason:
        reason = "未提供身份证号"
    if id_info:
        existing = Petitioner.objects.filter(id_index=pii.blind_index(id_info.number, purpose="id")).first()
        if existing:
            return existing
    elif person.phone:
        existing = Petitioner.objects.filter(
            phone_index=pii.blind_index(person.phone, purpose="phone"), name=person.name
        ).first()
        if existing:
            return existing
    return Petitioner.objects.create(
        name=person.name,
        is_organisation=person.is_organisation,
        id_number=id_info.number if id_info else pii.normalise(person.id_number),
        id_index=pii.blind_index(id_info.number, purpose="id") if id_info else "",
        id_verified=id_info is not None,
        unverified_reason="" if id_info else reason[:100],
        gender=id_info.gender if id_info else "",
        birth_date=id_info.birth_date if id_info else None,
        phone=person.phone,
        phone_index=pii.blind_index(person.phone, purpose="phone"),
        address=person.address,
    )


def _validate(data: RegistrationInput, *, repeat: bool) -> None:
    now = timezone.now()
    if data.channel not in Channel.values:
        raise DomainError(f"来源“{data.channel}”无效。", field="channel")
    if data.kind not in Kind.values:
        raise DomainError(f"性质“{data.kind}”无效，应为建议意见、检举控告或申诉求决。", field="kind")
    if data.visit_level and data.visit_level not in VisitLevel.values:
        raise DomainError(f"来访层级“{data.visit_level}”无效。", field="visit_level")
    if data.received_at and data.received_at > now + timedelta(minutes=5):
        raise DomainError("来信来访时间不能晚于当前时间。", field="received_at")
    if not data.title.strip():
        raise DomainError("请填写标题。", field="title")
    if not data.content.strip():
        raise DomainError("请填写主要内容。", field="content")
    if len(data.title.strip()) > 200:
        raise DomainError("标题不能超过200字。", field="title")
    if data.headcount < 1:
        raise DomainError("人数至少为1。", field="headcount")
    if data.headcount < len(data.people):
        raise DomainError(f"人数（{data.headcount}）不能少于登记的人员数（{len(data.people)}）。", field="headcount")
    for person in data.people:
        if not person.name.strip():
            raise DomainError("登记的每位信访人都须填写姓名或名称。", field="people")
        if person.role not in PartyRole.values:
            raise DomainError(f"人员身份“{person.role}”无效。", field="people")
    if not data.people and not data.anonymous:
        raise DomainError("请至少登记一名信访人；匿名信访请勾选“匿名”。", field="people")
    if data.anonymous and data.people:
        raise DomainError("已勾选“匿名”，不能同时登记信访人。", field="anonymous")
    if data.joint_letter and data.headcount < 2:
        raise DomainError("联名信至少有两人署名，请核对人数。", field="joint_letter")
    reps = sum(1 for p in data.people if p.role == PartyRole.REPRESENTATIVE)
    if reps > MAX_REPRESENTATIVES:
        raise DomainError(f"集体访代表不超过{MAX_REPRESENTATIVES}人，当前登记了{reps}名代表。", field="people")
    if reps and data.headcount < COLLECTIVE_MIN:
        raise DomainError(f"代表只用于{COLLECTIVE_MIN}人以上的集体访；当前人数为{data.headcount}。", field="people")
    if data.kind == Kind.ACCUSATION and not data.accused and not repeat:
        raise DomainError("检举控告事项须登记被检举人或被检举单位。", field="accused")
    for accused in data.accused:
        if not (accused.name.strip() or accused.unit or accused.user):
            raise DomainError("被检举对象须填写姓名、选择单位或关联用户中的至少一项。", field="accused")


def _check_attachments(items: list[AttachmentInput]) -> list[tuple[AttachmentInput, Any]]:
    return [(item, attachment_checks.check(item.name, item.file, item.size)) for item in items]


def _store_attachments(contact: Contact, checked: list[tuple[AttachmentInput, Any]], actor: Any,
                       stored: list[Attachment]) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    for item, info in checked:
        attachment = Attachment(contact=contact, original_name=info.name, size=info.size,
                                content_type=info.content_type, sha256=info.sha256, uploaded_by=user)
        item.file.seek(0)
        attachment.file.save(info.name, File(item.file), save=False)
        stored.append(attachment)
        attachment.save()


def register_contact(data: RegistrationInput, *, actor: Any, attach_to: Petition | None = None,
                     repeat_check: Any = None) -> Contact:
    """Register one contact. A new matter is created unless `attach_to` names an existing one,
    in which case the contact is a repeat of that matter (件次 +1, 件 unchanged).

    `repeat_check` (a petitions.repeats.RepeatCheck) is what the officer was shown before saving;
    it is kept in the event. Attachments are checked before anything is written; if anything
    fails, no row and no stored file remains.
    """
    _validate(data, repeat=attach_to is not None)
    if attach_to is not None and attach_to.status not in OPEN_STATUSES:
        raise DomainError(f"事项 {attach_to.number} 当前状态为“{attach_to.get_status_display()}”，不能再并入；"
                          "请登记为新事项。", field="attach_to")
    checked = _check_attachments(data.attachments)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            return _register(data, actor=actor, attach_to=attach_to, repeat_check=repeat_check, checked=checked,
                             stored=stored)
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def _register(data: RegistrationInput, *, actor: Any, attach_to: Petition | None, repeat_check: Any,
              checked: list[tuple[AttachmentInput, Any]], stored: list[Attachment]) -> Contact:
    from petitions.repeats import finalised_match

    received_at = data.received_at or timezone.now()
    is_collective = data.headcount >= COLLECTIVE_MIN
    petition: Petition
    if attach_to is None:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    petition = Petition.objects.create(
                        number=new_number(data.receiving_unit, timezone.localtime(received_at).year),
                        query_code=new_query_code(),
                        title=data.title.strip(),
                        content=data.content.strip(),
                        demands=data.demands.strip(),
                        kind=data.kind,
                        channel=data.channel,
                        category=data.category,
                        locality=data.locality,
                        receiving_unit=data.receiving_unit,
                        received_at=received_at,
                        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
                        is_collective=is_collective,
                        headcount=data.headcount,
                        joint_letter=data.joint_letter,
                        anonymous=data.anonymous,
                        raised_before=data.raised_before,
                        raised_before_where=data.raised_before_where,
                        finalised_match=finalised_match(data.people, data.title, data.content),
                    )
                break
            except IntegrityError:
                # A query-code collision (1 in 10^15): draw again.
                continue
        else:  # pragma: no cover - would need five collisions in a row
            raise DomainError("编号生成失败，请重试。")
        for accused in data.accused:
            AccusedParty.objects.create(petition=petition, name=accused.name, position=accused.position,
                                        unit=accused.unit, user=accused.user)
        is_repeat = False
    else:
        petition = attach_to
        Petition.objects.filter(pk=petition.pk).update(contact_count=F("contact_count") + 1)
        petition.contact_count += 1
        is_repeat = True
    contact = Contact.objects.create(
        petition=petition,
        channel=data.channel,
        received_at=received_at,
        receiving_unit=data.receiving_unit,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        headcount=data.headcount,
        is_collective=is_collective,
        is_repeat=is_repeat,
        visit_level=data.visit_level or derive_visit_level(data.channel, data.receiving_unit),
        content=data.content.strip() if is_repeat else "",
        source_id=data.source_id,
    )
    names: list[str] = []
    links: dict[int, ContactPerson] = {}
    for person in data.people:
        petitioner = find_or_create_petitioner(person)
        links.setdefault(petitioner.pk, ContactPerson(contact=contact, petitioner=petitioner, role=person.role))
        if petitioner.name not in names:
            names.append(petitioner.name)
    ContactPerson.objects.bulk_create(links.values())
    if is_repeat:
        grant_access(petition, data.receiving_unit, AccessReason.RECEIVED)
    else:
        PetitionAccess.objects.create(petition=petition, unit=data.receiving_unit, unit_path=data.receiving_unit.path,
                                      reason=AccessReason.RECEIVED)
    if not is_repeat:
        # The 信访部门 must transfer, assign or handle a new matter within 15 days (条例 Art. 22).
        from deadlines.choices import ClockKind
        from deadlines.services import start_clock

        start_clock(petition, ClockKind.TRIAGE, unit=data.receiving_unit,
                    start=timezone.localtime(received_at).date(), actor=actor)
    if is_repeat:
        search.reindex([petition.pk])
    else:
        search.index_documents([(petition.pk, search.document_text(petition.title, petition.content,
                                                                   petition.demands, names))])
    _store_attachments(contact, checked, actor, stored)
    event_data: dict[str, Any] = {"contact": contact.pk}
    if repeat_check is not None:
        event_data["repeat_check"] = repeat_check.as_data()
    if stored:
        event_data["attachments"] = [a.pk for a in stored]
    note = f"{Channel(data.channel).label}，{data.headcount}人"
    if not is_repeat and petition.finalised_match_id:
        note += f"；同一信访人此前同一事项已复核终结（{petition.finalised_match.number}）"  # type: ignore[union-attr]
        event_data["finalised_match"] = petition.finalised_match_id
    record_event(petition, actor=actor, action="repeat_contact" if is_repeat else "register", note=note,
                 data=event_data)
    record(actor, Action.CREATE, petition,
           summary=f"登记 {petition.number}（{Channel(data.channel).label}{'，重复件' if is_repeat else ''}）")
    return contact


MAX_ADDED_ATTACHMENTS = 10
# An archived matter's file is closed; a merged one lives on in the matter it joined.
SEALED_STATUSES = (Status.ARCHIVED, Status.MERGED)


def add_attachments(petition: Petition, items: list[AttachmentInput], *, actor: Any,
                    contact: Contact | None = None) -> list[Attachment]:
    """Add files to a registered matter (to `contact`, else its latest contact), checked exactly as at
    registration. All or nothing: if one file is refused or saving fails, no row and no file remains."""
    if not items:
        raise DomainError("请选择要上传的附件。", field="attachments")
    if len(items) > MAX_ADDED_ATTACHMENTS:
        raise DomainError(f"一次最多上传{MAX_ADDED_ATTACHMENTS}个附件。", field="attachments")
    if petition.status in SEALED_STATUSES:
        raise DomainError(f"事项 {petition.number} 当前状态为“{petition.get_status_display()}”，不能再补充附件。",
                          code="sealed")
    if contact is None:
        contact = petition.contacts.order_by("-received_at", "-id").first()
    if contact is None or contact.petition_id != petition.pk:
        raise DomainError("该件次不属于此事项。", field="contact")
    checked = _check_attachments(items)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            _store_attachments(contact, checked, actor, stored)
            names = "、".join(a.original_name for a in stored)
            record_event(petition, actor=actor, action="attachment_added", note=f"补充附件{len(stored)}个：{names}",
                         data={"contact": contact.pk, "attachments": [a.pk for a in stored]})
            record(actor, Action.CREATE, petition, summary=f"{petition.number} 补充附件{len(stored)}个",
                   data={"attachments": [a.pk for a in stored]})
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def fingerprint(payload: Any) -> str:
    """A stable digest of a request body, to tell a retry from a different request with the same key."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass
class OnceResult:
    contact: Contact | None
    response: dict
    created: bool


def register_once(data: RegistrationInput, *, actor: Any, key: str, request_fingerprint: str = "",
                  attach_to: Petition | None = None, repeat_check: Any = None,
                  render: Callable[[Contact], dict] | None = None) -> OnceResult:
    """Register at most once per (user, key): the API's Idempotency-Key and the HTML form's token.

    The key row is inserted first in the same transaction, so a concurrent second submission
    waits for the first and then finds it. With a fingerprint, the same key with a different body
    is a Conflict; without one (HTML forms), a second submission just returns the first result.
    """
    if not getattr(actor, "is_authenticated", False):
        raise DomainError("需要登录。")
    key = key.strip()[:200]
    if not key:
        raise DomainError("幂等键不能为空。", field="idempotency_key")
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(user=actor, key=key, fingerprint=request_fingerprint)
            contact = register_contact(data, actor=actor, attach_to=attach_to, repeat_check=repeat_check)
            row.contact = contact
            row.response = render(contact) if render else {"petition": contact.petition_id, "contact": contact.pk}
            row.save(update_fields=["contact", "response"])
            return OnceResult(contact=contact, response=row.response, created=True)
    except IntegrityError:
        existing = IdempotencyKey.objects.filter(user=actor, key=key).select_related("contact").first()
        if existing is None:
            raise
    if request_fingerprint and existing.fingerprint != request_fingerprint:
        raise Conflict("该幂等键（Idempotency-Key）已用于另一份内容不同的登记。请为新的登记使用新的幂等键。",
                       code="idempotency_conflict")
    return OnceResult(contact=existing.contact, response=existing.response, created=False)
