"""Similar matters by Chinese text similarity, shown at registration to catch repeat contacts.

`similar_matters()` is the one entry point. Today it scores character-bigram Jaccard similarity
over a small candidate set (the same locality in the recent period, plus matters whose text
contains the new title's longest phrase), plus the matters the near-duplicate index of the insight app
finds for the whole text (`index_candidates`, any age and place).

Candidates are gathered and scored without scoping: that is an internal computation whose
texts never leave this module. What is returned goes through `Petition.objects.visible_to(user)`,
so a user only ever sees matters they may see (scoping the candidate search itself made it walk
whole localities outside the user's area at a million matters).
"""

from __future__ import annotations

import datetime
from operator import add
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from petitions import search
from petitions.choices import Status
from petitions.models import Petition

SIMILAR_MIN = 0.3  # below this a matter is not shown as similar
SAME_FACTS_MIN = 0.5  # at or above this a finalised matter of the same person counts as "the same facts"
RECENT_DAYS = 730
LOCALITY_CANDIDATES = 200
SCOPE_CANDIDATES = 150
PHRASE_CANDIDATES = 100
PHRASE_ENOUGH = 10  # this many matches among the newest documents need no look further back (search.newest_matching)
INDEX_CANDIDATES = 50


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of a text with the spaces taken out (punctuation stays: cheap and good enough)."""
    compact = "".join(search._normalise(text).split())
    return frozenset(map(add, compact, compact[1:]))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def score(title_a: str, content_a: str, title_b: str, content_b: str) -> float:
    """0..1: half title similarity, half similarity of title and content together."""
    a, b = bigrams(title_a), bigrams(title_b)
    return round(0.5 * jaccard(a, b) + 0.5 * jaccard(a | bigrams(content_a), b | bigrams(content_b)), 3)


def _longest_run(title: str) -> str:
    runs = sorted((r for r in search._RUN.findall(search._normalise(title)) if not r.isascii()), key=len,
                  reverse=True)
    return runs[0] if runs else ""


def candidates(user: Any, title: str, locality: Any = None, *,
               since: datetime.datetime | None = None) -> dict[int, tuple[str, str]]:
    """id → (title, content) of matters worth scoring: few and recent (not yet scoped, see above)."""
    since = since or timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    qs = Petition.objects.filter(received_at__gte=since).exclude(status=Status.MERGED)
    found: dict[int, tuple[str, str]] = {}
    if locality is not None:
        near = qs.filter(locality=locality).order_by("-received_at")[:LOCALITY_CANDIDATES]
    else:
        near = Petition.objects.visible_to(user).filter(received_at__gte=since).order_by(
            "-received_at", "-id")[:SCOPE_CANDIDATES]
    for pk, t, c in near.values_list("pk", "title", "content"):
        found[pk] = (t, c)
    phrase = _longest_run(title)
    if len(phrase) >= 4:
        for pk, t, c in search.newest_matching(qs, phrase, PHRASE_CANDIDATES, enough=PHRASE_ENOUGH).values_list("pk", "title", "content"):
            found[pk] = (t, c)
    return found


def index_candidates(title: str, content: str) -> dict[int, tuple[str, str]]:
    """id → (title, content) of the matters the insight near-duplicate index finds close to the whole text,
    of any age and place (not yet scoped either)."""
    from insight.services import neardup_candidates

    ids = [pk for pk, _ in neardup_candidates(f"{title}\n{content}", k=INDEX_CANDIDATES, min_score=0.2)]
    if not ids:
        return {}
    rows = Petition.objects.filter(pk__in=ids).exclude(status=Status.MERGED).values_list("pk", "title", "content")
    return {pk: (t, c) for pk, t, c in rows}


def rank(title: str, content: str, found: dict[int, tuple[str, str]], *, min_score: float = SIMILAR_MIN,
         limit: int = 5, exclude_ids: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, float]]:
    title_set = bigrams(title)
    whole_set = title_set | bigrams(content)
    scored = []
    for pk, (t, c) in found.items():
        if pk in exclude_ids:
            continue
        other = bigrams(t)
        value = round(0.5 * jaccard(title_set, other) + 0.5 * jaccard(whole_set, other | bigrams(c)), 3)
        if value >= min_score:
            scored.append((pk, value))
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored[:limit]


def similar_matters(user: Any, title: str, content: str, locality: Any = None, limit: int = 5, *,
                    exclude_ids: set[int] | frozenset[int] = frozenset(),
                    min_score: float = SIMILAR_MIN) -> list[tuple[Petition, float]]:
    """The matters most similar to a new title and content that the user may see, best first."""
    if not (title or "").strip() and not (content or "").strip():
        return []
    found = {**candidates(user, title, locality), **index_candidates(title, content)}
    ranked = rank(title, content, found, min_score=min_score, limit=limit * 10, exclude_ids=exclude_ids)
    if not ranked:
        return []
    # The first `limit` of the best that the user may see, in rank order, in one scoped query (only
    # those rows are loaded, not all of the best).
    score = dict(ranked)
    order = Case(*(When(pk=pk, then=Value(i)) for i, (pk, _) in enumerate(ranked)), output_field=IntegerField())
    shown = (Petition.objects.visible_to(user).filter(pk__in=list(score)).select_related(
        "receiving_unit", "locality", "category").order_by(order)[:limit])
    return [(petition, score[petition.pk]) for petition in shown]
