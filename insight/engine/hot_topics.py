"""Hot topics (热点): clusters of recent matters by text (and locality when given), ranked by a heat
index that combines volume, growth, spread and support.

Heat of a cluster (documented in insight/README.md; every component is returned too):

    heat = ln(1 + volume)                    volume   = matters in the cluster
         + 0.5 * ln(growth)                  growth   = (recent + 1) / (previous + 1), matters in the last
                                                        `window_days` before `now` vs the window before it
         + 0.5 * ln(1 + people)              people   = distinct petitioners (users) when given, else volume
         + 0.3 * ln(1 + localities)          localities = distinct localities when given
         + 0.3 * ln(1 + likes)               likes    = supports/likes of the messages when given

Logarithms keep one very large or very liked cluster from swamping the list; growth below 1 (a topic
fading away) lowers the heat. Only clusters with at least `min_size` matters are ranked.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from insight.engine.clustering import LOCALITY_PREFIX, TextVectors, cluster, nearest_to_centroid, tokens, top_terms

WEIGHTS = {"volume": 1.0, "growth": 0.5, "people": 0.5, "localities": 0.3, "likes": 0.3}


@dataclass(frozen=True)
class Item:
    id: Any
    text: str
    time: datetime.datetime
    title: str = ""
    locality: str | None = None
    user: str | None = None
    likes: int = 0


@dataclass
class Topic:
    item_ids: list[Any]
    size: int
    heat: float
    components: dict[str, float]
    keywords: list[str]
    representatives: list[Any]  # ids of the matters closest to the cluster's centre
    titles: list[str]  # their titles (or first characters)
    localities: dict[str, int] = field(default_factory=dict)
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size, "heat": self.heat, "components": self.components, "keywords": self.keywords,
            "titles": self.titles, "representatives": [str(r) for r in self.representatives],
            "localities": self.localities,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "item_ids": [str(i) for i in self.item_ids],
        }


def _item(obj: Any) -> Item:
    if isinstance(obj, Item):
        return obj
    get = obj.get if isinstance(obj, Mapping) else (lambda k, d=None: getattr(obj, k, d))
    when = get("time")
    if not isinstance(when, datetime.datetime):
        raise ValueError(f"item {get('id')!r} has no time")
    return Item(id=get("id"), text=get("text") or "", time=when, title=get("title") or "",
                locality=get("locality"), user=get("user"), likes=int(get("likes") or 0))


def heat_index(volume: int, recent: int, previous: int, people: int, localities: int, likes: int) -> tuple[float, dict]:
    growth = (recent + 1) / (previous + 1)
    parts = {
        "volume": WEIGHTS["volume"] * math.log1p(volume),
        "growth": WEIGHTS["growth"] * math.log(growth),
        "people": WEIGHTS["people"] * math.log1p(people),
        "localities": WEIGHTS["localities"] * math.log1p(localities),
        "likes": WEIGHTS["likes"] * math.log1p(likes),
    }
    return round(sum(parts.values()), 4), {
        "volume": volume, "recent": recent, "previous": previous, "growth": round(growth, 3),
        "people": people, "localities": localities, "likes": likes,
        "heat_parts": {k: round(v, 4) for k, v in parts.items()},
    }


def hot_topics(items: Iterable[Any], *, now: datetime.datetime | None = None, window_days: int = 30,
               min_size: int = 3, top: int = 20, edge_min: float = 0.25, merge_min: float = 0.3,
               use_locality: bool = True) -> list[Topic]:
    """The `top` hottest clusters among `items` (objects or mappings with id, text, time and optionally
    title, locality, user, likes), hottest first."""
    data = [_item(o) for o in items]
    if not data:
        return []
    now = now or max(d.time for d in data)
    recent_from = now - datetime.timedelta(days=window_days)
    previous_from = now - datetime.timedelta(days=2 * window_days)
    vectors = TextVectors(max_df=1.0)  # a topic that dominates the period must not lose its own words
    docs = [tokens(d.text, d.title, d.locality if use_locality else None) for d in data]
    x = vectors.fit_transform(docs)
    labels = cluster(x, edge_min=edge_min, merge_min=merge_min)
    terms = vectors.terms
    topics = []
    for label in np.unique(labels):
        rows = np.nonzero(labels == label)[0]
        if rows.size < min_size:
            continue
        members = [data[r] for r in rows.tolist()]
        times = [m.time for m in members]
        recent = sum(1 for t in times if recent_from < t <= now)
        previous = sum(1 for t in times if previous_from < t <= recent_from)
        users = {m.user for m in members if m.user}
        localities: dict[str, int] = {}
        for m in members:
            if m.locality:
                localities[str(m.locality)] = localities.get(str(m.locality), 0) + 1
        heat, components = heat_index(len(members), recent, previous, len(users) if users else len(members),
                                      len(localities), sum(max(0, m.likes) for m in members))
        reps = nearest_to_centroid(x, rows, 3)
        topics.append(Topic(
            item_ids=[m.id for m in members], size=len(members), heat=heat, components=components,
            keywords=top_terms(x, rows, terms, 8, skip=lambda t: t.startswith(LOCALITY_PREFIX)),
            representatives=[data[r].id for r in reps.tolist()],
            titles=[data[r].title or data[r].text[:40] for r in reps.tolist()],
            localities=dict(sorted(localities.items(), key=lambda kv: (-kv[1], kv[0]))),
            first=min(times), last=max(times),
        ))
    topics.sort(key=lambda t: (-t.heat, -t.size, str(t.item_ids[0])))
    return topics[:top]
