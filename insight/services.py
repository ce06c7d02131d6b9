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


def suggest(text: str, *, k: int = 3, kinds: tuple[str, ...] = SUGGESTER_KINDS) -> dict[str, list[dict[str, Any]]]:
    """Suggestions for a new matter's text from each trained suggester (kinds with no model are absent).
    Each suggestion: {"label", "confidence", "terms"} — terms are words of `text` that drove it."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not text.strip():
        return out
    for kind in kinds:
        model = current_suggester(kind)
        if model is None:
            continue
        out[kind] = [{"label": s.label, "confidence": s.confidence, "terms": list(s.terms)}
                     for s in model.suggest(text, k=k)]
    return out


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


def neardup_index() -> NearDuplicateIndex:
    """The current index, caught up with matters registered since it was built (ids above its highest id),
    so a matter registered a moment ago in another process is found too. Without a built index, one is
    built in memory from the database (fine for small offices; run `manage.py build_insight_indexes`)."""
    index = store.load_current("neardup", NearDuplicateIndex.load)
    with _index_lock:
        if index is None:
            index = store.cached("neardup", "memory")
            if index is None:
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
    if not text.strip():
        return []
    index = neardup_index()
    with _index_lock:
        hits = index.query(text, k=max(k * 4, 20), min_score=min_score, exclude=exclude)
    visible = selectors.visible_ids(user, [pk for pk, _ in hits])
    return [SimilarMatter(pk, score) for pk, score in hits if pk in visible][:k]


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


def hot_topics_visible(user: Any, *, days: int = 30, limit: int = 10) -> list[Topic]:
    now = timezone.now()
    rows = selectors.recent_visible(user, now - datetime.timedelta(days=2 * days))
    return hot_topics(rows, now=now, window_days=days, top=limit)


def early_signs_visible(user: Any, *, k: int = 5, days: int = 7) -> list[EarlySign]:
    now = timezone.now()
    rows = selectors.recent_visible(user, now - datetime.timedelta(days=days))
    return early_signs(rows, k=k, days=days, now=now)


def _aware(value: datetime.datetime | datetime.date) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
