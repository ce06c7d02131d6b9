"""Use cases of the public site: submit a matter online, follow it with its query code, rate it.

The petitioner has no account. Each function here takes what the person typed, checks it with
Chinese messages, and calls the domain services (`petitions.services.register_contact`,
`handling.services.rate`); nothing here writes matters directly.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare

from audit.models import Action
from audit.services import record
from core.errors import DomainError
from orgs.choices import UnitKind
from orgs.models import Unit
from petitions import idcard
from petitions.choices import Channel, Kind
from petitions.models import Category, Petition
from petitions.services import AccusedInput, AttachmentInput, PersonInput, RegistrationInput, register_contact
from portal import throttle
from portal.models import Open311Client, PortalSettings, Submission, hash_key

PETITIONER = "信访人"  # the audit trail's actor name for people without an account
MAX_ATTACHMENTS = 5
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
FOLLOW_FAILED = "事项编号或查询码不正确，请核对后重新输入。"
# Compared against when the number is unknown, so both failures take the same path.
_NO_CODE = "-" * 10


class Throttled(DomainError):
    code = "throttled"
    status = 429


@dataclass
class SubmissionInput:
    name: str
    id_number: str
    phone: str
    address: str
    title: str
    content: str
    demands: str = ""
    kind: str = Kind.CLAIM
    locality: Unit | None = None
    category: Category | None = None
    accused_name: str = ""
    accused_position: str = ""
    attachments: list[AttachmentInput] = field(default_factory=list)


def portal_settings() -> PortalSettings:
    return PortalSettings.load()


def receiving_unit() -> Unit:
    unit = portal_settings().unit
    if unit is None:
        raise DomainError("网上信访暂未开通：尚未设置受理单位，请通过来信、来访或电话反映。", code="portal_closed")
    return unit


def localities() -> Any:
    """The areas a person may pick as the matter's locality: the receiving office's area and below."""
    unit = portal_settings().unit
    qs = Unit.objects.filter(kind=UnitKind.GOVERNMENT, is_active=True)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.scope_root.path)
    return qs.order_by("path")


def service_categories() -> Any:
    """Level-1 and level-2 categories: the portal's select and Open311's services."""
    return Category.objects.filter(is_active=True, level__lte=2).order_by("full_name")


def normalise_phone(value: str) -> str:
    return "".join((value or "").split()).replace("－", "-")


def check_phone(value: str) -> str:
    phone = normalise_phone(value)
    if not phone:
        raise DomainError("请填写联系电话。", field="phone")
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise DomainError("联系电话格式不正确：请填写11位手机号码，或带区号的固定电话（如0551-12345678）。",
                          field="phone")
    return phone


def check_id_number(value: str) -> str:
    raw = (value or "").strip()
    if not raw:
        raise DomainError("请填写身份证号码。", field="id_number")
    try:
        return idcard.parse(raw).number
    except idcard.InvalidIdNumber as exc:
        raise DomainError(f"{exc}。", field="id_number") from None


def validate(data: SubmissionInput) -> SubmissionInput:
    """Check a submission before anything is saved; returns it cleaned. Raises DomainError(field=…)."""
    data.name = (data.name or "").strip()
    if not data.name:
        raise DomainError("请填写姓名。", field="name")
    if len(data.name) > 50:
        raise DomainError("姓名不能超过50字。", field="name")
    data.id_number = check_id_number(data.id_number)
    data.phone = check_phone(data.phone)
    data.address = (data.address or "").strip()
    if not data.address:
        raise DomainError("请填写住址（《信访工作条例》第十七条要求载明住址）。", field="address")
    if len(data.address) > 200:
        raise DomainError("住址不能超过200字。", field="address")
    if data.kind not in Kind.values:
        raise DomainError("请选择信访事项的性质：建议意见、检举控告或申诉求决。", field="kind")
    if data.locality is not None and not localities().filter(pk=data.locality.pk).exists():
        raise DomainError("所选问题属地不在本机关受理范围内，请重新选择。", field="locality")
    if data.category is not None and not service_categories().filter(pk=data.category.pk).exists():
        raise DomainError("所选问题类别无效，请重新选择。", field="category")
    data.title = (data.title or "").strip()
    if not data.title:
        raise DomainError("请填写标题。", field="title")
    if len(data.title) > 100:
        raise DomainError("标题不能超过100字。", field="title")
    data.content = (data.content or "").strip()
    if len(data.content) < 10:
        raise DomainError("请写明反映的事实和理由（不少于10字）。", field="content")
    if len(data.content) > 5000:
        raise DomainError("主要内容不能超过5000字；更多材料请作为附件上传。", field="content")
    data.demands = (data.demands or "").strip()
    if len(data.demands) > 2000:
        raise DomainError("诉求不能超过2000字。", field="demands")
    data.accused_name = (data.accused_name or "").strip()[:100]
    data.accused_position = (data.accused_position or "").strip()[:100]
    if data.kind == Kind.ACCUSATION and not data.accused_name:
        raise DomainError("检举控告请填写被检举人姓名或被检举单位名称。", field="accused_name")
    if len(data.attachments) > MAX_ATTACHMENTS:
        raise DomainError(f"附件最多{MAX_ATTACHMENTS}个。", field="attachments")
    return data


def _registration(data: SubmissionInput, unit: Unit) -> RegistrationInput:
    accused = [AccusedInput(name=data.accused_name, position=data.accused_position)] if data.accused_name else []
    return RegistrationInput(
        channel=Channel.ONLINE, receiving_unit=unit, title=data.title, content=data.content, demands=data.demands,
        kind=data.kind, locality=data.locality, category=data.category, accused=accused,
        people=[PersonInput(name=data.name, id_number=data.id_number, phone=data.phone, address=data.address)],
        attachments=data.attachments,
    )


@dataclass
class SubmitResult:
    petition: Petition
    created: bool


def new_token() -> str:
    return secrets.token_urlsafe(24)


def submit(data: SubmissionInput, *, token: str, ip: str | None, via: str = "portal",
           client: Open311Client | None = None) -> SubmitResult:
    """Register an online submission as a new matter at the portal's receiving unit.

    `token` is the form's one-time token (or an API client's idempotency key): a second submission
    with the same token returns the matter the first one registered. Limits per IP and per phone
    apply (HTTP 429). The submission is audited (PORTAL_SUBMIT) and the petitioner gets the number
    and query code by SMS after commit. On any error nothing is saved.
    """
    token = (token or "").strip()[:64]
    if not token:
        raise DomainError("表单已失效，请刷新页面后重新填写。", code="token_missing")
    previous = Submission.objects.filter(token=token, petition__isnull=False).select_related("petition").first()
    if previous is not None:
        return SubmitResult(previous.petition, created=False)  # type: ignore[arg-type]
    data = validate(data)
    unit = receiving_unit()
    by_ip, by_phone = throttle.limit("submit_ip"), throttle.limit("submit_phone")
    if throttle.exceeded(by_ip, ip or "-"):
        raise Throttled(f"提交过于频繁（同一网络{by_ip.describe()}），请稍后再试，或拨打电话、来信来访反映。")
    if throttle.exceeded(by_phone, data.phone):
        raise Throttled(f"同一联系电话{by_phone.describe()}网上提交，请稍后再试；如情况紧急请拨打电话反映。",
                        field="phone")
    try:
        with transaction.atomic():
            row = Submission.objects.create(token=token, via=via, client=client, ip=ip)
            contact = register_contact(_registration(data, unit), actor=None)
            petition = contact.petition
            row.petition = petition
            row.save(update_fields=["petition"])
            _after_submit(petition, via=via, ip=ip, client=client)
    except IntegrityError:
        # The same token is being (or was just) used by a concurrent request: answer with its matter.
        previous = Submission.objects.filter(token=token, petition__isnull=False).select_related("petition").first()
        if previous is None:
            raise DomainError("该表单正在提交，请稍候刷新查看。", code="conflict") from None
        return SubmitResult(previous.petition, created=False)  # type: ignore[arg-type]
    throttle.hit(by_ip, ip or "-")
    throttle.hit(by_phone, data.phone)
    return SubmitResult(petition, created=True)


def _after_submit(petition: Petition, *, via: str, ip: str | None, client: Open311Client | None) -> None:
    from accounts.roles import Role
    from notifications.services import notify_petitioner, notify_unit

    label = "Open311 接口" if via == "open311" else "网上信访"
    record(PETITIONER if client is None else f"open311:{client.name}"[:150], Action.PORTAL_SUBMIT, petition,
           summary=f"{label}提交 {petition.number}", ip=ip, data={"via": via, "client": getattr(client, "pk", None)})
    notify_petitioner(petition, text=f"您的信访事项已提交，编号{petition.number}，查询码{petition.query_code}。"
                                     "请妥善保存，凭编号和查询码可在网上查询办理进展、下载告知文书并评价。")
    notify_unit(petition.receiving_unit, roles={Role.OFFICER}, title=f"新的{label}事项 {petition.number}",
                body=petition.title, kind="assignment", petition=petition, url=f"/petitions/{petition.pk}/")


def find_client(api_key: str) -> Open311Client | None:
    key = (api_key or "").strip()
    if not key:
        return None
    return Open311Client.objects.filter(key_hash=hash_key(key), is_active=True).first()


def create_client(name: str, *, actor: Any) -> tuple[Open311Client, str]:
    """A new Open311 client and its key (shown once; only the hash is stored)."""
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.create(name=name.strip()[:100], key_prefix=key[:8], key_hash=hash_key(key))
    record(actor, Action.TOKEN, client, summary=f"签发 Open311 接入密钥：{client.name}")
    return client, key


# Following a matter ---------------------------------------------------------------------------------

def normalise_number(value: str) -> str:
    return "".join((value or "").split()).upper()[:40]


def normalise_code(value: str) -> str:
    return "".join((value or "").split()).upper()[:16]


def follow(number: str, code: str, *, ip: str | None) -> Petition:
    """The matter with this number, if `code` is its query code.

    An unknown number and a wrong code give the same message through the same steps (one lookup,
    one constant-time compare), and both count as a failure of the IP; after too many failures in
    the window every attempt answers 429 until the window passes, even with the right code.
    """
    failures = throttle.limit("follow_failures")
    subject = ip or "-"
    if throttle.exceeded(failures, subject):
        raise Throttled(f"查询失败次数过多（{failures.describe()}），请{max(1, failures.seconds // 60)}分钟后再试。")
    number, code = normalise_number(number), normalise_code(code)
    petition = Petition.objects.filter(number=number).select_related("receiving_unit", "handling_unit").first() \
        if number else None
    expected = petition.query_code if petition is not None else _NO_CODE
    matches = constant_time_compare(code, expected)
    if petition is None or not matches or not code:
        throttle.hit(failures, subject)
        raise DomainError(FOLLOW_FAILED, code="follow_failed")
    return petition


def rate(petition: Petition, *, stage: str, value: str, comment: str = "", ip: str | None = None) -> Any:
    """The petitioner rates one stage (handling.services.rate: window, once per stage)."""
    from handling.services import rate as rate_stage

    attempts = throttle.limit("rate_ip")
    if throttle.hit(attempts, ip or "-") > attempts.count:
        raise Throttled("操作过于频繁，请稍后再试。")
    if len(comment or "") > 500:
        raise DomainError("评价意见不能超过500字。", field="comment")
    return rate_stage(petition, stage=stage, value=value, comment=comment, via="portal")
