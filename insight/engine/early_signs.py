"""Early signs (苗头): at least K similar new matters from one locality within D days.

Many people raising the same grievance in one place within a short time is the classic sign of a
shared problem (a wage arrears at one site, a demolition in one village) that is cheaper to resolve
now than after it becomes a collective visit.

Method: matters are grouped by locality; within a locality, pairs whose text cosine (TF-IDF over
words: sublinear term frequency without idf, because the idf of the few matters of one place and week
makes the words they all share, the very topic, weigh least) is at least half of `min_similarity` and whose times are at most
`days` apart are edges; average-linkage clustering (insight.engine.clustering) merges groups while
their average pairwise similarity is at least `min_similarity`; a group is a sign when some window of
`days` days holds at least `k` of its matters. Short complaints about one problem in other words
score 0.2-0.5 against each other and unrelated ones about 0, hence the default 0.2. The sign reports the
matters of its fullest window (the earliest such window when several tie).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from insight.engine.clustering import TextVectors, cluster, tokens, top_terms


@dataclass(frozen=True)
class EarlySign:
    locality: str
    item_ids: list[Any]
    start: datetime.datetime
    end: datetime.datetime
    keywords: list[str]

    @property
    def size(self) -> int:
        return len(self.item_ids)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _best_window(times: list[datetime.datetime], span: datetime.timedelta) -> tuple[int, int]:
    """[lo, hi) of the sorted `times` with the most entries inside one span (earliest on ties)."""
    best = (0, 0)
    lo = 0
    for hi in range(len(times)):
        while times[hi] - times[lo] > span:
            lo += 1
        if hi + 1 - lo > best[1] - best[0]:
            best = (lo, hi + 1)
    return best


def early_signs(items: Iterable[Any], k: int = 5, days: int = 7, *, min_similarity: float = 0.2,
                now: datetime.datetime | None = None) -> list[EarlySign]:
    """Groups of at least `k` similar matters from one locality within `days` days.

    `items` are objects or mappings with `id`, `text`, `locality` and `time` (aware datetimes), and
    optionally `title`. Items without a locality are ignored. With `now`, only matters of the last
    `days` days before `now` count ("new" matters). Largest groups first.
    """
    if k < 2:
        raise ValueError("k must be at least 2")
    if days < 0:
        raise ValueError("days must not be negative")
    span = datetime.timedelta(days=days)
    data = []
    for obj in items:
        loc, when = _field(obj, "locality"), _field(obj, "time")
        if loc in (None, "") or when is None:
            continue
        if now is not None and not (now - span <= when <= now):
            continue
        data.append((obj, str(loc), when))
    if len(data) < k:
        return []
    by_loc: dict[str, list[int]] = defaultdict(list)
    for n, (_, loc, _) in enumerate(data):
        by_loc[loc].append(n)
    candidates = {loc: rows for loc, rows in by_loc.items() if len(rows) >= k}
    if not candidates:
        return []
    vectors = TextVectors(max_df=1.0, use_idf=False)
    docs = [tokens(_field(o, "text") or "", _field(o, "title") or "") for o, _, _ in data]
    x_all = vectors.fit_transform(docs)
    terms = vectors.terms
    signs = []
    for loc, rows in sorted(candidates.items()):
        idx = np.array(rows)
        x = x_all[idx]
        stamps = np.array([data[r][2].timestamp() for r in rows])

        def within(i: np.ndarray, j: np.ndarray, stamps: np.ndarray = stamps) -> np.ndarray:
            return np.abs(stamps[i] - stamps[j]) <= span.total_seconds()

        labels = cluster(x, edge_min=min_similarity / 2, merge_min=min_similarity, neighbours=200, allow=within)
        for label in np.unique(labels):
            members = np.nonzero(labels == label)[0]
            if members.size < k:
                continue
            members = members[np.argsort(stamps[members], kind="stable")]
            times = [data[rows[m]][2] for m in members.tolist()]
            lo, hi = _best_window(times, span)
            if hi - lo < k:
                continue
            chosen = members[lo:hi]
            signs.append(EarlySign(
                locality=loc,
                item_ids=[_field(data[rows[m]][0], "id") for m in chosen.tolist()],
                start=times[lo], end=times[hi - 1],
                keywords=top_terms(x, chosen, terms, 6),
            ))
    signs.sort(key=lambda s: (-s.size, s.start, s.locality))
    return signs
