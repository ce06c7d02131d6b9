"""Insight services: training the suggesters and building the indexes from the database, and the
suggestions, similar matters and answer lines a user sees.

Trained models and indexes are files (see insight/store.py); they hold no data of record, but every
training or rebuild still writes an audit row, so who retrained what and when is on the trail.
Everything shown to a user is narrowed by the scoping layer (insight/selectors.py).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from core.errors import DomainError
from insight import selectors, store
from insight.engine.answer_lines import AnswerLineIndex
from insight.engine.classifier import Model, train
from insight.engine.early_signs import EarlySign, early_signs
from insight.engine.hot_topics import Topic, hot_topics
from insight.engine.neardup import NearDuplicateIndex

logger = logging.getLogger(__name__)

SUGGESTER_KINDS = ("category", "category_path", "unit")
_index_lock = threading.RLock()  # the in-process near-duplicate index is updated in place
KIND_LABELS = {"category": "一级内容分类", "category_path": "完整内容分类", "unit": "承办单位"}


@dataclass
class TrainResult:
    kind: str
    version: str
    n_texts: int
    labels: dict[str, int]
    seconds: float
    path: Path


# Suggesters -----------------------------------------------------------------------------------------

def train_suggester(kind: str = "category", *, actor: Any = None, texts: list[str] | None = None,
                    labels: list[str] | None = None, source: str = "database") -> TrainResult:
    """Train and publish a suggester. Without `texts`/`labels` the training data comes from the
    database (selectors.training_data); raises DomainError when there is too little of it."""
    if kind not in SUGGESTER_KINDS:
        raise DomainError(f"未知的建议模型类型：{kind}", field="kind")
    if texts is None or labels is None:
        texts, labels = selectors.training_data(kind)
    if len(texts) != len(labels):
        raise DomainError("训练文本与标签数量不一致")
    distinct = set(labels)
    if len(texts) < 10 or len(distinct) < 2:
        raise DomainError(f"训练数据不足：需要至少 10 件事项、2 个不同的{KIND_LABELS[kind]}"
                          f"（现有 {len(texts)} 件、{len(distinct)} 个）")
    started = time.perf_counter()
    model = train(texts, labels)
    version = store.publish(kind, model.save, model.info["fingerprint"])
    seconds = round(time.perf_counter() - started, 2)
    with transaction.atomic():
        record(actor or "system", Action.UPDATE, object_type="insight.model", object_id=f"{kind}:{version}",
               summary=f"训练{KIND_LABELS[kind]}建议模型（{len(texts)} 件，{len(distinct)} 类）",
               data={"kind": kind, "version": version, "source": source, "n_texts": len(texts),
                     "labels": len(distinct), "seconds": seconds})
    store.put_cached(kind, version, model)
    return TrainResult(kind, version, len(texts), model.info["labels"], seconds, store.path_for(kind, version))


def current_suggester(kind: str = "category") -> Model | None:
    return store.load_current(kind, Model.load)


def suggest_tree(text: str, *, k: int = 3) -> dict[str, Any]:
    """What the registration form shows: the top-`k` categories at every level of the category tree and
    the likely handling unit, each with its confidence and the terms of `text` that drove it.

    Level 1 comes from the level-1 model (it learns from every categorised matter); deeper levels from
    the full-path model, a level's confidence being the sum over the full paths under it. Returns
    {"levels": [[{label, confidence, terms}, ...] per level], "unit": [...], "versions": {kind: version}}.
    """
    out: dict[str, Any] = {"levels": [], "unit": [], "versions": {}}
    if not text.strip():
        return out
    level1 = current_suggester("category")
    paths = current_suggester("category_path")
    if level1 is not None:
        out["levels"].append([_item(s.label, s.confidence, s.terms) for s in level1.suggest(text, k=k)])
        out["versions"]["category"] = store.current_version("category")
    if paths is not None:
        probs, x = paths.distribution(text)
        labels = paths.labels
        depth = max(len(label.split("/")) for label in labels)
        for level in range(1 if level1 is None else 2, depth + 1):
            mass: dict[str, float] = {}
            best: dict[str, int] = {}  # prefix -> its most likely full path (for the terms)
            for c, label in enumerate(labels):
                parts = label.split("/")
                if len(parts) < level:
                    continue
                prefix = "/".join(parts[:level])
                mass[prefix] = mass.get(prefix, 0.0) + float(probs[c])
                if prefix not in best or probs[c] > probs[best[prefix]]:
                    best[prefix] = c
            ranked = sorted(mass, key=lambda p: (-mass[p], p))[:k]
            out["levels"].append([_item(p, mass[p], paths.terms(x, best[p])) for p in ranked])
        out["versions"]["category_path"] = store.current_version("category_path")
    unit = current_suggester("unit")
    if unit is not None:
        out["unit"] = [_item(s.label, s.confidence, s.terms) for s in unit.suggest(text, k=k)]
        out["versions"]["unit"] = store.current_version("unit")
    return out


def _item(label: str, confidence: float, terms: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {"label": label, "confidence": round(float(confidence), 4), "terms": list(terms)}


# Officer's choice against the suggestions (live accuracy) -------------------------------------------

def _chosen_labels(petition: Any) -> dict[str, str]:
    """What the officer chose for `petition`, in each suggester's label space."""
    chosen: dict[str, str] = {}
    if petition.category_id:
        full = petition.category.full_name
        chosen["category"] = full.split("/", 1)[0]
        chosen["category_path"] = full
    if petition.handling_unit_id:
        chosen["unit"] = petition.handling_unit.code
    return chosen


def record_suggestions(petition: Any) -> int:
    """Store each trained suggester's top-3 for a newly registered matter (what the officer was shown),
    with the officer's choice if already made. Returns the number of rows written."""
    from insight.models import SuggestionFeedback

    text = selectors.petition_text(petition.title, petition.content)
    chosen = _chosen_labels(petition)
    rows = []
    for kind in SUGGESTER_KINDS:
        model = current_suggester(kind)
        version = store.current_version(kind)
        if model is None or version is None or SuggestionFeedback.objects.filter(petition=petition, kind=kind).exists():
            continue
        suggested = [[s.label, s.confidence] for s in model.suggest(text, k=3, n_terms=0)]
        row = SuggestionFeedback(petition=petition, kind=kind, model_version=version, suggested=suggested)
        _decide(row, chosen.get(kind, ""))
        rows.append(row)
    SuggestionFeedback.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _decide(row: Any, chosen: str) -> None:
    if not chosen:
        return
    labels = [label for label, _ in row.suggested]
    row.chosen = chosen
    row.rank = labels.index(chosen) + 1 if chosen in labels else None
    row.decided_at = timezone.now()


def record_choice(petition: Any) -> int:
    """Fill in the officer's choice on the suggestion rows of `petition` still waiting for it (the category
    or handling unit may be set after registration). Returns the number of rows updated."""
    from insight.models import SuggestionFeedback

    chosen = _chosen_labels(petition)
    if not chosen:
        return 0
    pending = list(SuggestionFeedback.objects.filter(petition=petition, kind__in=list(chosen), decided_at__isnull=True))
    for row in pending:
        _decide(row, chosen[row.kind])
    SuggestionFeedback.objects.bulk_update(pending, ["chosen", "rank", "decided_at"])
    return len(pending)


def on_petition_saved(petition: Any, created: bool) -> None:
    """After a matter is saved (registered or changed): record the suggestions / the officer's choice,
    and keep the near-duplicate index current. Runs after commit; never fails the save."""
    try:
        if created:
            record_suggestions(petition)
        else:
            record_choice(petition)
        index_matter(petition)
    except Exception:  # noqa: BLE001 - an assistant must never break registration
        logger.exception("insight: could not record matter %s", petition.pk)



# The handling unit, where it is chosen (转送 / 交办) ---------------------------------------------------

DISPATCH_KINDS = ("transfer", "assign")  # direct handling keeps the matter at the officer's own unit: no choice


def unit_suggestions(petition: Any, *, k: int = 3) -> list[dict[str, Any]]:
    """The unit suggester's top-`k` for a matter (label = unit code), each with its confidence and terms;
    [] without a trained unit model."""
    model = current_suggester("unit")
    text = selectors.petition_text(petition.title, petition.content)
    if model is None or not text.strip():
        return []
    return [_item(s.label, s.confidence, s.terms) for s in model.suggest(text, k=k)]


def offerable_unit_suggestions(petition: Any, actor: Any, units: Any, *, k: int = 3) -> list[dict[str, Any]]:
    """The suggested units (of the top-`k`) that a transfer or assignment of `petition` by `actor` may go to:
    in `units` (the form's queryset, so the actor's area), not the actor's own unit, and never a unit the
    条例 Art. 30 guard refuses for an accusation (handling.services.check_not_accused, the same check the
    dispatch runs). Each item gains "unit" (the Unit); best first."""
    from core.errors import NotAllowed
    from handling.services import check_not_accused

    suggested = unit_suggestions(petition, k=k)
    if not suggested:
        return []
    own = getattr(getattr(actor, "unit", None), "pk", None)
    by_code = {u.code: u for u in units.filter(code__in=[s["label"] for s in suggested]).exclude(pk=own)}
    offered = []
    for item in suggested:
        unit = by_code.get(item["label"])
        if unit is None:
            continue
        try:
            check_not_accused(petition, unit)
        except NotAllowed:
            continue
        offered.append({**item, "unit": unit})
    return offered


def record_dispatch_choice(dispatch_id: int) -> bool:
    """Decide the handling-unit feedback row of a transferred or assigned matter: the unit the officer sent
    it to, ranked against the suggestions (rank None = the officer overrode them). Registration leaves this
    row undecided; the first transfer or assignment decides it, later ones (after an objection) change
    nothing. A matter registered before the unit model existed gets its row now, with the suggestions the
    action page showed. Idempotent; returns whether a row was decided."""
    from handling.models import Dispatch
    from insight.models import SuggestionFeedback, SuggestionKind

    dispatch = Dispatch.objects.select_related("petition", "to_unit").filter(pk=dispatch_id).first()
    if dispatch is None or dispatch.kind not in DISPATCH_KINDS:
        return False
    petition, code = dispatch.petition, dispatch.to_unit.code
    rows = SuggestionFeedback.objects.filter(petition=petition, kind=SuggestionKind.UNIT)
    if not rows.exists():
        version = store.current_version("unit")
        suggested = unit_suggestions(petition)
        if version is None or not suggested:
            return False
        SuggestionFeedback.objects.bulk_create(
            [SuggestionFeedback(petition=petition, kind=SuggestionKind.UNIT, model_version=version,
                                suggested=[[s["label"], s["confidence"]] for s in suggested])],
            ignore_conflicts=True)
    row = rows.get()
    if row.decided_at is not None:
        return False
    _decide(row, code)
    # conditional: a concurrent decision (record_choice after a save of the matter) is not overwritten
    return bool(SuggestionFeedback.objects.filter(pk=row.pk, decided_at__isnull=True)
                .update(chosen=row.chosen, rank=row.rank, decided_at=row.decided_at))


def on_dispatch_created(dispatch_id: int) -> None:
    """After a transfer or assignment is committed: record the officer's unit choice. Never fails the dispatch."""
    try:
        record_dispatch_choice(dispatch_id)
    except Exception:  # noqa: BLE001 - an assistant must never break the handling
        logger.exception("insight: could not record the unit choice of dispatch %s", dispatch_id)

# Background retraining --------------------------------------------------------------------------------

def retrain_due(kind: str, *, after: int | None = None) -> bool:
    """Whether `kind` should be retrained: no model yet, or at least `after` (setting
    INSIGHT_RETRAIN_AFTER, default 200) matters concluded since the current model was trained."""
    from django.conf import settings

    from petitions.models import Petition

    threshold = after if after is not None else int(getattr(settings, "INSIGHT_RETRAIN_AFTER", 200))
    version = store.current_version(kind)
    if version is None:
        return True
    trained = store.version_time(version)
    return Petition.objects.filter(concluded_on__gte=trained.date()).count() >= threshold


def retrain_when_due(*, after: int | None = None) -> dict[str, str]:
    """Retrain every suggester that is due (see `retrain_due`); kinds with too little data are skipped.
    Returns kind -> new version ("" when skipped or not due)."""
    done = {}
    for kind in SUGGESTER_KINDS:
        done[kind] = ""
        if not retrain_due(kind, after=after):
            continue
        try:
            done[kind] = train_suggester(kind).version
        except DomainError as exc:
            logger.info("insight: %s suggester not trained: %s", kind, exc.message)
    return done


# Near-duplicate index ---------------------------------------------------------------------------------

def rebuild_neardup_index(*, actor: Any = None) -> str:
    """Build the near-duplicate index over all matters (accusations excluded) and publish it."""
    ids, texts = [], []
    for pk, text in selectors.indexable_matters():
        ids.append(pk)
        texts.append(text)
    index = NearDuplicateIndex.build(ids, texts)
    version = store.publish("neardup", index.save)
    with transaction.atomic():
        record(actor or "system", Action.UPDATE, object_type="insight.index", object_id=f"neardup:{version}",
               summary=f"重建相似事项索引（{len(ids)} 件）", data={"kind": "neardup", "n": len(ids)})
    store.put_cached("neardup", version, index)
    return version


MEMORY_INDEX_MAX = 50_000  # without a built index file, at most this many matters are indexed in memory


_too_big_checked: list[float] = []  # monotonic time of the last count that found too many matters


def _too_big_for_memory() -> bool:
    """Whether there are too many matters for an in-memory index (the answer is kept for ten minutes)."""
    if _too_big_checked and time.monotonic() - _too_big_checked[0] < 600:
        return True
    if selectors.indexable_count() > MEMORY_INDEX_MAX:
        logger.warning("insight: no near-duplicate index built; run manage.py build_insight_indexes")
        _too_big_checked[:] = [time.monotonic()]
        return True
    return False


def neardup_index() -> NearDuplicateIndex | None:
    """The current index, caught up with matters registered since it was built (ids above its highest id),
    so a matter registered a moment ago in another process is found too. Without a built index, one is
    built in memory from the database when the office has at most MEMORY_INDEX_MAX matters (a larger one
    must run `manage.py build_insight_indexes`, daily by the scheduler); otherwise None."""
    index = store.load_current("neardup", NearDuplicateIndex.load)
    with _index_lock:
        if index is None:
            index = store.cached("neardup", "memory")
            if index is None:
                if _too_big_for_memory():
                    return None
                index = NearDuplicateIndex()
                store.put_cached("neardup", "memory", index)
        batch_ids, batch_texts = [], []
        for pk, text in selectors.indexable_matters(after_id=index.max_id()):
            batch_ids.append(pk)
            batch_texts.append(text)
        if batch_ids:
            index.add_many(batch_ids, batch_texts)
    return index


def index_matter(petition: Any) -> None:
    """Add or refresh one matter in this process's index (call after registration or a text edit)."""
    from petitions.choices import Kind

    index = neardup_index()
    if index is None:
        return
    with _index_lock:
        if petition.kind == Kind.ACCUSATION:
            index.remove(petition.pk)
            return
        index.add(petition.pk, selectors.petition_text(petition.title, petition.content))


@dataclass
class SimilarMatter:
    id: int
    score: float


def similar_matters(user: Any, text: str, *, k: int = 5, min_score: float = 0.5,
                    exclude: int | None = None) -> list[SimilarMatter]:
    """Matters the user may see whose text is most similar to `text` (TF-IDF cosine >= min_score)."""
    hits = neardup_candidates(text, k=max(k * 4, 20), min_score=min_score, exclude=exclude)
    visible = selectors.visible_ids(user, [pk for pk, _ in hits])
    return [SimilarMatter(pk, score) for pk, score in hits if pk in visible][:k]


def neardup_candidates(text: str, *, k: int = 50, min_score: float = 0.3,
                       exclude: int | None = None) -> list[tuple[int, float]]:
    """(matter id, TF-IDF cosine) of the indexed matters most similar to `text`, best first, NOT scoped:
    for internal use (the repeat check of intake scores and scopes them itself). Accusations are never
    in the index."""
    if not text.strip():
        return []
    index = neardup_index()
    if index is None:
        return []
    with _index_lock:
        return index.query(text, k=k, min_score=min_score, exclude=exclude)


# Answer lines -----------------------------------------------------------------------------------------

def rebuild_answer_lines(*, actor: Any = None) -> str:
    index = AnswerLineIndex(selectors.replied_matters())
    version = store.publish("answer_lines", index.save)
    with transaction.atomic():
        record(actor or "system", Action.UPDATE, object_type="insight.index", object_id=f"answer_lines:{version}",
               summary=f"重建答复口径索引（{len(index)} 件）", data={"kind": "answer_lines", "n": len(index)})
    store.put_cached("answer_lines", version, index)
    return version


def answer_lines(user: Any, text: str, *, title: str = "", k: int = 3, exclude: int | None = None) -> list[Any]:
    """Replies to the most similar past matters the user may see (口径)."""
    index = store.load_current("answer_lines", AnswerLineIndex.load)
    if index is None or not text.strip():
        return []
    hits = index.query(text, title=title, k=k * 4, exclude=exclude)
    visible = selectors.visible_ids(user, [h.id for h in hits])
    return [h for h in hits if h.id in visible][:k]


# Hot topics and early signs -----------------------------------------------------------------------------

@dataclass
class HotTopicSummary:
    """One hot topic in the shape the statistics pages read (label, contacts, previous, url)."""

    label: str
    contacts: int
    previous: int
    heat: float
    keywords: list[str] = field(default_factory=list)
    matter_ids: list[int] = field(default_factory=list)
    url: str = ""


def _summaries(topics: list[Topic], rows: list[dict[str, Any]], start: datetime.datetime) -> list[HotTopicSummary]:
    by_id = {r["id"]: r for r in rows}
    out = []
    for t in topics:
        current = [i for i in t.item_ids if by_id[i]["time"] >= start]
        out.append(HotTopicSummary(
            label=t.titles[0], contacts=sum(by_id[i]["contacts"] or 1 for i in current),
            previous=len(t.item_ids) - len(current), heat=t.heat, keywords=t.keywords,
            matter_ids=[int(i) for i in t.item_ids]))
    return out


def hot_topics_for(unit: Any, start: datetime.datetime | datetime.date, end: datetime.datetime | datetime.date,
                   *, limit: int = 5) -> list[HotTopicSummary]:
    """Hot topics among matters held in `unit`'s subtree received in [start, end), growth against the
    period of the same length before it. Accusations are never part of a topic."""
    start_dt, end_dt = _aware(start), _aware(end)
    length = end_dt - start_dt
    rows = selectors.unit_scope_matters(unit, start_dt - length, end_dt)
    topics = hot_topics(rows, now=end_dt, window_days=max(1, length.days), top=limit)
    return _summaries(topics, rows, start_dt)


def top_hot_topics(unit: Any, start: datetime.datetime | datetime.date, end: datetime.datetime | datetime.date,
                   *, limit: int = 5) -> list[HotTopicSummary]:
    """The hot topics of `unit`'s area in [start, end) for the 信访简报 draft (statistics reads label,
    contacts, previous and url), hottest first; each links to the 排查预警 page."""
    from django.urls import reverse

    start_dt, end_dt = _aware(start), _aware(end)
    # the page shows the same window (growth against the window before it), so the figure clicks down to
    # the matters behind it; `end` is exclusive, the page's end date inclusive
    last = timezone.localtime(end_dt - datetime.timedelta(microseconds=1)).date()
    url = f"{reverse('insight:home')}?start={timezone.localtime(start_dt).date():%Y-%m-%d}&end={last:%Y-%m-%d}"
    topics = hot_topics_for(unit, start_dt, end_dt, limit=limit)
    for topic in topics:
        topic.url = url
    return topics


def hot_topics_visible(user: Any, *, days: int = 30, limit: int = 10,
                       until: datetime.datetime | None = None) -> list[Topic]:
    """Hot topics among the matters `user` may see received in the `days` days before `until` (default now),
    growth measured against the `days` days before those."""
    now = until or timezone.now()
    rows = selectors.recent_visible(user, now - datetime.timedelta(days=2 * days), now if until else None)
    return hot_topics(rows, now=now, window_days=days, top=limit)


def early_signs_visible(user: Any, *, k: int = 5, days: int = 7) -> list[EarlySign]:
    now = timezone.now()
    rows = selectors.recent_visible(user, now - datetime.timedelta(days=days))
    return early_signs(rows, k=k, days=days, now=now)


def _aware(value: datetime.datetime | datetime.date) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


# Early-sign alerts ------------------------------------------------------------------------------------

def early_sign_settings() -> tuple[int, int]:
    """(K, D): K or more similar matters from one locality within D days make an early sign. Settings
    INSIGHT_EARLY_SIGN_K (default 5) and INSIGHT_EARLY_SIGN_DAYS (default 7)."""
    from django.conf import settings

    return (int(getattr(settings, "INSIGHT_EARLY_SIGN_K", 5)), int(getattr(settings, "INSIGHT_EARLY_SIGN_DAYS", 7)))


def alert_early_signs(*, now: datetime.datetime | None = None, k: int | None = None,
                      days: int | None = None) -> list[Any]:
    """Find the early signs among all matters of the last `days` days (accusations never count) and tell
    the locality's unit and the 信访局 about each new one, with its list of matters. A sign is not new
    when an alert of the same locality from the last 2×`days` days already lists at least half of its
    matters: that alert is extended with the new matters, and nobody is told twice. Returns the new
    alerts (EarlySignAlert)."""
    from insight.models import EarlySignAlert
    from orgs.models import Unit

    default_k, default_days = early_sign_settings()
    k = default_k if k is None else k
    days = default_days if days is None else days
    now = now or timezone.now()
    span = datetime.timedelta(days=days)
    rows = selectors.all_recent(now - span, now)
    created = []
    for sign in early_signs(rows, k=k, days=days, now=now):
        ids = [int(i) for i in sign.item_ids]
        locality_id = int(sign.locality)
        previous = EarlySignAlert.objects.filter(locality_id=locality_id, created_at__gte=now - 2 * span)
        same = next((a for a in previous if 2 * len(set(a.matter_ids) & set(ids)) >= len(ids)), None)
        if same is not None:
            extra = [i for i in ids if i not in same.matter_ids]
            if extra:
                same.matter_ids = [*same.matter_ids, *extra]
                same.last_at = max(same.last_at, sign.end)
                same.updated_at = now
                same.save(update_fields=["matter_ids", "last_at", "updated_at"])
            continue
        locality = Unit.objects.get(pk=locality_id)
        with transaction.atomic():
            alert = EarlySignAlert.objects.create(locality=locality, matter_ids=ids, keywords=sign.keywords,
                                                  first_at=sign.start, last_at=sign.end, created_at=now,
                                                  updated_at=now)
            alert.recipients = _notify_early_sign(alert, days)
            alert.save(update_fields=["recipients"])
            record("system", Action.CREATE, object_type="insight.early_sign", object_id=str(alert.pk),
                   summary=f"苗头预警：{locality.name} {days} 天内 {len(ids)} 件相似事项，通知 {alert.recipients} 人",
                   data={"locality": locality.code, "matters": ids, "keywords": sign.keywords})
        created.append(alert)
    return created


def early_sign_units(locality: Any) -> list[Any]:
    """Who is told about an early sign of `locality`: the locality's unit (the locality itself or, for a
    village or town without staff of its own, the nearest unit above it that has staff) and the 信访局
    serving it (the nearest one up the tree)."""
    from accounts.models import User
    from orgs.choices import UnitKind

    chain = [locality, *reversed([u for u in locality.ancestors() if u.pk != locality.pk])]
    units = []
    for unit in chain:
        if unit.kind != UnitKind.BUREAU and User.objects.filter(unit=unit, is_active=True).exists():
            units.append(unit)
            break
    for unit in chain:
        bureau = unit.bureau() if unit.is_area else None
        if bureau is not None:
            if bureau not in units:
                units.append(bureau)
            break
    return units


def _notify_early_sign(alert: Any, days: int) -> int:
    """One notification per active user of the alert's units, listing the matters that user may see."""
    from django.urls import reverse

    from accounts.models import User
    from notifications.choices import NotificationKind
    from notifications.services import NewNotification, create_notifications
    from petitions.models import Petition

    units = early_sign_units(alert.locality)
    users = list(User.objects.filter(unit__in=units, is_active=True).select_related("unit").order_by("pk"))
    matters = {p.pk: p for p in Petition.objects.filter(pk__in=alert.matter_ids).only("pk", "number", "title")}
    title = f"苗头预警：{alert.locality.name} {days} 天内 {len(alert.matter_ids)} 件相似事项"
    keywords = "、".join(alert.keywords[:6])
    url = f"{reverse('insight:home')}#sign-{alert.pk}"
    items = []
    for user in users:
        visible = selectors.visible_ids(user, list(alert.matter_ids))
        lines = [f"{matters[i].number} {matters[i].title}" for i in alert.matter_ids if i in visible and i in matters]
        hidden = len(alert.matter_ids) - len(lines)
        body = (f"{alert.locality.name}在 {alert.first_at:%Y-%m-%d} 至 {alert.last_at:%Y-%m-%d} 期间有 "
                f"{len(alert.matter_ids)} 件内容相似的事项（关键词：{keywords}），请及早排查化解，防止形成集体访。\n"
                + "\n".join(lines) + (f"\n另有 {hidden} 件不在您的查看范围内。" if hidden else ""))
        items.append(NewNotification(recipient_id=user.pk, kind=NotificationKind.SYSTEM, title=title, body=body,
                                     url=url))
    return create_notifications(items) if items else 0
