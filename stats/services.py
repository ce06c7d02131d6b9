"""Use cases that change statistics' own data: the periodicals (信访简报 / 专报 / 信息), and the
conclusion of matters that 化解率 reads (`record_conclusions`).

Drafting fills title and body from the period's figures; the office edits them; publishing takes
the next issue number (per issuing unit, type and year, gapless because it is taken in the same
transaction), renders DOCX and PDF and fixes the issue. Every change writes an audit row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone

from audit.models import Action
from audit.services import record
from core.errors import DomainError, NotAllowed
from core.sequences import next_value
from orgs.models import Unit
from stats import drafting, publishing
from stats import metrics as m
from stats.models import Bulletin, BulletinKind, BulletinStatus
from stats.periods import Period
from stats.scope import Scope

MAX_TITLE = 200
UPDATE_CHUNK = 5000  # matters per read and per multi-row UPDATE of record_conclusions


def record_conclusions(petition_ids: Iterable[int] | None = None, *, registry: Any = django_apps) -> None:
    """Store on each matter when its handling concluded and whether it was resolved (化解).

    `Petition.concluded_on` is the local date of its last concluding event (`close` or
    `decide_final_review`, see `metrics.CONCLUDING_ACTIONS`); `Petition.resolved` applies
    `metrics.resolved_q` to it; both are null for a matter that has not concluded. Recomputing is
    idempotent.

    Called where a matter concludes (handling.services `close`, `decide_review(final=True)`), where
    a later rating can change the outcome (`rate`), after each batch of demo history
    (demo/history.py), and over all matters by the migration that added the columns (`registry` is
    then the migration's historical app registry). `petition_ids=None` means every matter with a
    concluding event or a stored conclusion (which is cleared if its concluding event is gone).
    """
    from petitions.bulk import id_list, update_rows

    petition = registry.get_model("petitions", "Petition")
    event = registry.get_model("petitions", "Event")
    if petition_ids is None:
        # Every matter that has concluded or is recorded as concluded.
        candidates = petition.objects.filter(
            Q(concluded_on__isnull=False)
            | Q(Exists(event.objects.filter(petition=OuterRef("pk"), action__in=m.CONCLUDING_ACTIONS))))
        ids = list(candidates.order_by("pk").values_list("pk", flat=True))
    else:
        ids = list(petition_ids)
    last_end = Subquery(event.objects.filter(petition=OuterRef("pk"), action__in=m.CONCLUDING_ACTIONS)
                        .order_by("-at").values("at")[:1])
    for first in range(0, len(ids), UPDATE_CHUNK):
        # One read per chunk: each matter's last concluding event and whether resolved_q holds, both
        # by the per-matter indexes; then one multi-row UPDATE of the matters whose stored values differ.
        rows = (petition.objects.filter(pk__in=id_list(ids[first:first + UPDATE_CHUNK]))
                .annotate(last_end=last_end, **m.resolution_annotations(registry))
                .annotate(is_resolved=ExpressionWrapper(m.resolved_q(), output_field=BooleanField()))
                .order_by().values_list("pk", "last_end", "is_resolved", "concluded_on", "resolved"))
        changes = []
        for pk, last, is_resolved, stored_on, stored_resolved in rows:
            concluded_on = timezone.localtime(last).date() if last else None
            resolved = bool(is_resolved) if last else None
            if (concluded_on, resolved) != (stored_on, stored_resolved):
                changes.append((pk, concluded_on, resolved))
        update_rows(petition, ["concluded_on", "resolved"], changes)


def _require(actor: Any, unit: Unit) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.can("reports"):
        raise NotAllowed("当前角色无权编发信访简报、专报和信息。")
    own = getattr(actor, "unit", None)
    if own is None or not unit.is_within(own.scope_root):
        raise NotAllowed(f"{unit.name}不在您的统计范围内。")


def sequence_key(unit: Unit, kind: str, year: int) -> str:
    return f"stats.bulletin:{unit.pk}:{kind}:{year}"


@transaction.atomic
def create_draft(*, actor: Any, unit: Unit, kind: str, period: Period) -> Bulletin:
    """Draft an issue from the figures of `unit` (and below) in `period`."""
    _require(actor, unit)
    if kind not in BulletinKind.values:
        raise DomainError("请选择信访简报、信访专报或信访信息。", field="kind")
    if period.start > timezone.localdate():
        raise DomainError("统计期间尚未开始，不能起草。", field="period")
    text = drafting.draft(Scope.of(unit), period, kind)
    bulletin = Bulletin.objects.create(unit=unit, kind=kind, year=timezone.localdate().year, title=text.title[:MAX_TITLE],
                                       period_start=period.start, period_end=period.end, body=text.body,
                                       created_by=actor)
    record(actor, Action.CREATE, bulletin, summary=f"起草{bulletin.get_kind_display()}：{bulletin.title}")
    return bulletin


def _locked_draft(bulletin: Bulletin, actor: Any, what: str) -> Bulletin:
    locked = Bulletin.objects.select_for_update().select_related("unit").get(pk=bulletin.pk)
    _require(actor, locked.unit)
    if locked.status != BulletinStatus.DRAFT:
        raise DomainError(f"该期已于{timezone.localtime(locked.published_at):%Y年%-m月%-d日}发布，不能再{what}。",
                          code="already_published")
    return locked


@transaction.atomic
def update_draft(bulletin: Bulletin, *, actor: Any, title: str, body: str) -> Bulletin:
    locked = _locked_draft(bulletin, actor, "修改")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError("请填写标题。", field="title")
    if len(title) > MAX_TITLE:
        raise DomainError(f"标题不能超过{MAX_TITLE}字。", field="title")
    if not body:
        raise DomainError("请填写正文。", field="body")
    locked.title, locked.body = title, body
    locked.save(update_fields=["title", "body", "updated_at"])
    record(actor, Action.UPDATE, locked, summary=f"修改{locked.get_kind_display()}草稿：{title}")
    return locked


@transaction.atomic
def discard_draft(bulletin: Bulletin, *, actor: Any) -> None:
    locked = _locked_draft(bulletin, actor, "删除")
    record(actor, Action.DELETE, locked, summary=f"删除{locked.get_kind_display()}草稿：{locked.title}")
    locked.delete()


def publish(bulletin: Bulletin, *, actor: Any, on: datetime.date | None = None) -> Bulletin:
    """Number, render and fix an issue. If rendering fails nothing is saved and no number is used."""
    saved: list[Any] = []
    try:
        with transaction.atomic():
            return _publish(bulletin, actor=actor, on=on, saved=saved)
    except BaseException:
        for field in saved:
            field.delete(save=False)
        raise


def _publish(bulletin: Bulletin, *, actor: Any, on: datetime.date | None, saved: list[Any]) -> Bulletin:
    locked = _locked_draft(bulletin, actor, "发布")
    now = timezone.now()
    today = on or timezone.localdate(now)
    locked.year = today.year
    locked.issue_no = next_value(sequence_key(locked.unit, locked.kind, locked.year))
    scope = Scope.of(locked.unit)
    head = publishing.Masthead(kind_label=locked.get_kind_display(), issue=f"第{locked.issue_no}期",
                               unit_name=_issuer_name(locked.unit), date=today, title=locked.title)
    material = drafting.material(scope, locked.period, locked.body)
    stem = f"{locked.get_kind_display()}{locked.year}年第{locked.issue_no}期"
    locked.docx.save(f"{stem}.docx", ContentFile(publishing.to_docx(head, locked.body, material)), save=False)
    saved.append(locked.docx)
    locked.pdf.save(f"{stem}.pdf", ContentFile(publishing.to_pdf(head, locked.body, material)), save=False)
    saved.append(locked.pdf)
    locked.status = BulletinStatus.PUBLISHED
    locked.published_at = now
    locked.published_by = actor
    locked.save()
    record(actor, Action.UPDATE, locked, summary=f"发布{stem}：{locked.title}")
    return locked


def _issuer_name(unit: Unit) -> str:
    """The office that edits the periodical: the area's 信访局 when there is one."""
    bureau = unit.bureau()
    return (bureau or unit).name
