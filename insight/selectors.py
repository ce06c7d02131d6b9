"""Reads for the insight features.

Two kinds of reads:
- training and index building read the office's whole history (a system job, like statistics
  aggregation). Nothing read here is shown to a user as such: the suggesters output labels, and the
  terms of a suggestion come from the text the user typed. Accusations are left out of every index.
- everything shown to a user (similar matters, answer lines, hot topics, early signs) is narrowed
  by `Petition.objects.visible_to(user)` before it leaves this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from petitions.choices import Kind
from petitions.models import Petition

MIN_PER_LABEL = {"category": 5, "category_path": 20, "unit": 10}


def petition_text(title: str, content: str) -> str:
    """The text the models read: title and content; a title that is only the start of the content (as
    imported ledgers without a title column get) is left out, so it is not counted twice."""
    title, content = (title or "").strip(), content or ""
    if not title or content.lstrip().startswith(title):
        return content
    return f"{title}\n{content}"


def _countable() -> QuerySet[Petition]:
    """Matters that teach the models: not merged into another matter (those repeat one already counted)."""
    return Petition.objects.filter(merged_into__isnull=True)


def training_data(kind: str, *, min_per_label: int | None = None) -> tuple[list[str], list[str]]:
    """(texts, labels) for a suggester: `category` = level-1 category name, `category_path` = full
    category path, `unit` = handling unit code. Labels with fewer than `min_per_label` matters are
    left out (the model cannot learn them)."""
    qs = _countable()
    if kind in ("category", "category_path"):
        rows = qs.filter(category__isnull=False).values_list("title", "content", "category__full_name")
    elif kind == "unit":
        rows = qs.filter(handling_unit__isnull=False).values_list("title", "content", "handling_unit__code")
    else:
        raise ValueError(f"unknown suggester kind {kind!r}")
    texts, labels = [], []
    for title, content, label in rows.order_by("pk").iterator(chunk_size=2000):
        if kind == "category":
            label = label.split("/", 1)[0]
        texts.append(petition_text(title, content))
        labels.append(label)
    minimum = MIN_PER_LABEL[kind] if min_per_label is None else min_per_label
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    keep = [i for i, label in enumerate(labels) if counts[label] >= minimum]
    return [texts[i] for i in keep], [labels[i] for i in keep]


def indexable_matters(after_id: int = 0) -> Iterator[tuple[int, str]]:
    """(id, text) of matters for the near-duplicate index, in id order; accusations excluded."""
    rows = (Petition.objects.exclude(kind=Kind.ACCUSATION).filter(pk__gt=after_id)
            .order_by("pk").values_list("pk", "title", "content"))
    for pk, title, content in rows.iterator(chunk_size=5000):
        yield pk, petition_text(title, content)


def indexable_count() -> int:
    return Petition.objects.exclude(kind=Kind.ACCUSATION).count()


def replied_matters() -> Iterator[dict[str, Any]]:
    """Past matters with an approved written reply, for answer lines; accusations excluded."""
    from handling.models import Reply

    replies = (Reply.objects.filter(approved_at__isnull=False).exclude(petition__kind=Kind.ACCUSATION)
               .order_by("petition_id", "-approved_at")
               .values_list("petition_id", "petition__title", "petition__content", "facts", "opinion_text",
                            "approved_at"))
    seen: set[int] = set()
    for pk, title, content, facts, opinion, approved in replies.iterator(chunk_size=2000):
        if pk in seen:
            continue  # the latest approved reply of a matter
        seen.add(pk)
        yield {"id": pk, "title": title, "text": content, "reply": "\n".join(p for p in (facts, opinion) if p),
               "time": approved}


def visible_ids(user: Any, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(Petition.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def recent_visible(user: Any, since: datetime.datetime, until: datetime.datetime | None = None,
                   limit: int = 20000) -> list[dict[str, Any]]:
    """Matters the user may see received in [since, until), newest first, as plain dicts for the engine."""
    qs = Petition.objects.visible_to(user).filter(received_at__gte=since).exclude(kind=Kind.ACCUSATION)
    if until is not None:
        qs = qs.filter(received_at__lt=until)
    rows = qs.order_by("-received_at", "-pk").values_list(
        "pk", "title", "content", "received_at", "locality__name", "contact_count")[:limit]
    return [{"id": pk, "title": title, "text": content, "time": at, "locality": loc, "contacts": contacts}
            for pk, title, content, at, loc, contacts in rows]


def all_recent(since: datetime.datetime, until: datetime.datetime, limit: int = 50000) -> list[dict[str, Any]]:
    """Every matter with a locality received in [since, until) (a system job: early signs), accusations
    excluded; `locality` is the locality's id as a string."""
    qs = (Petition.objects.filter(received_at__gte=since, received_at__lte=until, locality__isnull=False,
                                  merged_into__isnull=True).exclude(kind=Kind.ACCUSATION))
    rows = qs.order_by("-received_at", "-pk").values_list("pk", "title", "content", "received_at", "locality_id")[:limit]
    return [{"id": pk, "title": title, "text": content, "time": at, "locality": str(loc)}
            for pk, title, content, at, loc in rows]


def top_hot_topics(unit: Any, start: Any, end: Any, *, limit: int = 5) -> list[Any]:
    """The hot topics of `unit`'s area in [start, end) for the 信访简报 draft (see
    insight.services.top_hot_topics): label, contacts, previous, heat, keywords, matter_ids, url."""
    from insight import services

    return services.top_hot_topics(unit, start, end, limit=limit)


def unit_scope_matters(unit: Any, since: datetime.datetime, until: datetime.datetime,
                       limit: int = 20000) -> list[dict[str, Any]]:
    """Matters held in `unit`'s subtree (as the statistics count them) received in [since, until);
    accusations excluded, because a hot-topic label must never reach the accused unit."""
    from petitions.models import PetitionAccess
    from petitions.selectors import SUBTREE_END

    held = PetitionAccess.objects.filter(unit_path__gte=unit.path, unit_path__lt=unit.path + SUBTREE_END)
    qs = (Petition.objects.filter(pk__in=held.values("petition_id"), received_at__gte=since, received_at__lt=until)
          .exclude(kind=Kind.ACCUSATION))
    rows = qs.order_by("-received_at", "-pk").values_list(
        "pk", "title", "content", "received_at", "locality__name", "contact_count")[:limit]
    return [{"id": pk, "title": title, "text": content, "time": at, "locality": loc, "contacts": contacts}
            for pk, title, content, at, loc, contacts in rows]


def unit_names(codes: list[str]) -> dict[str, str]:
    from orgs.models import Unit

    return dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def recent_alerts(user: Any, *, days: int = 30, limit: int = 20) -> list[tuple[Any, list[int]]]:
    """Early-sign alerts of the last `days` days with the matters of each that `user` may see; alerts
    with none the user may see are left out."""
    from django.utils import timezone

    from insight.models import EarlySignAlert

    alerts = list(EarlySignAlert.objects.filter(created_at__gte=timezone.now() - datetime.timedelta(days=days))
                  .select_related("locality")[:200])
    visible = visible_ids(user, sorted({i for a in alerts for i in a.matter_ids}))
    out = []
    for alert in alerts:
        mine = [i for i in alert.matter_ids if i in visible]
        if mine:
            out.append((alert, mine))
    return out[:limit]


def suggestion_accuracy(*, days: int = 90) -> list[dict[str, Any]]:
    """Live accuracy of each suggester over the matters registered in the last `days` days where the
    officer's choice is known: how often the first suggestion, and any of the three, was the choice.
    Only counts leave this function (no matter is shown)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from insight.models import SuggestionFeedback, SuggestionKind

    since = timezone.now() - datetime.timedelta(days=days)
    rows = (SuggestionFeedback.objects.filter(created_at__gte=since, decided_at__isnull=False).values("kind")
            .annotate(n=Count("id"), top1=Count("id", filter=Q(rank=1)), top3=Count("id", filter=Q(rank__isnull=False))))
    by_kind = {r["kind"]: r for r in rows}
    out = []
    for kind, label in SuggestionKind.choices:
        r = by_kind.get(kind)
        if r and r["n"]:
            out.append({"kind": kind, "label": label, "n": r["n"], "top1": r["top1"] / r["n"],
                        "top3": r["top3"] / r["n"]})
    return out


def answer_line_matters(user: Any, ids: list[int]) -> dict[int, tuple[Petition, str]]:
    """For answer lines: the matters among `ids` that `user` may see, each with the 处理意见内容 of its latest
    approved reply ("" when it has none any more). Matters the user may not see are simply absent."""
    from handling.models import Reply

    if not ids:
        return {}
    matters = {p.pk: p for p in Petition.objects.visible_to(user).filter(pk__in=ids).exclude(kind=Kind.ACCUSATION)
               .only("pk", "number", "title", "kind")}
    opinions: dict[int, str] = {}
    for pk, text in (Reply.objects.filter(petition_id__in=list(matters), approved_at__isnull=False)
                     .order_by("petition_id", "-approved_at").values_list("petition_id", "opinion_text")):
        opinions.setdefault(pk, text)
    return {pk: (p, opinions.get(pk, "")) for pk, p in matters.items()}
