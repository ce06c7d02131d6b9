"""Matters of three topics registered through the real services, with categories and handling units."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from insight.tests.synthetic import FILLER, TOPICS
from petitions.models import Category, Petition

HOUSING, WAGES, SCHOOL = list(TOPICS)


def category(path: str) -> Category:
    parent = None
    for name in path.split("/"):
        parent, _ = Category.objects.get_or_create(name=name, parent=parent)
    assert parent is not None
    return parent


def text_of(label: str, rng: random.Random) -> str:
    picked = rng.sample(TOPICS[label], 4) + rng.sample(FILLER, 3)
    rng.shuffle(picked)
    return "".join(picked)


def history(cast: Any, per_label: int = 12, seed: int = 3) -> list[Petition]:
    """Closed-history matters: housing -> unit_b, wages -> unit_b2, school -> county. Written in bulk (they
    are training data here, not what is tested); the registration service is exercised by the tests."""
    rng = random.Random(seed)
    units = {HOUSING: cast.unit_b, WAGES: cast.unit_b2, SCHOOL: cast.county}
    now = timezone.now()
    rows = []
    n = Petition.objects.count()
    for label, unit in units.items():
        cat = category(label)
        for _ in range(per_label):
            n += 1
            text = text_of(label, rng)
            rows.append(Petition(number=f"HIST-{n:06d}", query_code=f"Q{n:09d}", title=text[:12], content=text,
                                 channel="letter", receiving_unit=cast.town_a, received_at=now - datetime.timedelta(days=200),
                                 category=cat, handling_unit=unit, status="closed"))
    return Petition.objects.bulk_create(rows)


def place(petition: Petition, locality: Any, days_ago: float) -> None:
    Petition.objects.filter(pk=petition.pk).update(
        locality=locality, received_at=timezone.now() - datetime.timedelta(days=days_ago))
