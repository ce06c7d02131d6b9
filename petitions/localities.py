"""The locality (属地) of a matter from an address: match area names in the text against the org tree.

Every government unit (province … village) is known by its name, its short name and its name
without the administrative suffix ("城关街道" → "城关"). A unit's score is the sum of the matches
along its chain of ancestors (a full name counts 2, a bare name 1), minus the matches of other
areas above its level that are not its ancestors. So "青山区城关街道东门社区" picks the
东门社区 under 城关街道 and not another 东门社区 elsewhere, and stops at 城关街道 if it has none.
Ties between different units are ambiguous and give no answer rather than a guess.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import Count, Max

from orgs.choices import UnitKind
from orgs.models import Unit

SUFFIXES = ("街道办事处", "社区居委会", "村民委员会", "居委会", "村委会", "街道", "社区", "村", "镇", "乡", "区", "县",
            "市", "省")
CACHE_SECONDS = 60


@dataclass(frozen=True)
class _Area:
    pk: int
    parent_id: int | None
    depth: int
    full: tuple[str, ...]
    bare: tuple[str, ...]


_cache: tuple[float, tuple[int, int], dict[int, _Area]] | None = None


def _strip(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return ""


def _areas() -> dict[int, _Area]:
    global _cache
    now = time.monotonic()
    government = Unit.objects.filter(kind=UnitKind.GOVERNMENT, is_active=True)
    stats = government.aggregate(n=Count("id"), top=Max("id"))
    fingerprint = (stats["n"] or 0, stats["top"] or 0)
    if _cache is None or now - _cache[0] > CACHE_SECONDS or _cache[1] != fingerprint:
        areas = {}
        for pk, parent_id, depth, name, short in government.values_list("pk", "parent_id", "depth", "name",
                                                                        "short_name"):
            full = tuple(sorted(n for n in {name, short} if n and len(n) >= 2))
            bare = tuple(sorted(b for b in {_strip(n) for n in full} if b))
            areas[pk] = _Area(pk, parent_id, depth, full, bare)
        _cache = (now, fingerprint, areas)
    return _cache[2]


def clear_cache() -> None:
    global _cache
    _cache = None


def match_address(address: str) -> Unit | None:
    """The deepest area named in `address` (consistent with its ancestors), or None."""
    text = "".join((address or "").split())
    if len(text) < 2:
        return None
    areas = _areas()
    strength: dict[int, int] = {}
    for area in areas.values():
        if any(n in text for n in area.full):
            strength[area.pk] = 2
        elif any(b in text for b in area.bare):
            strength[area.pk] = 1
    if not strength:
        return None
    scored: list[tuple[int, int, int]] = []
    for pk in strength:
        chain_ids: set[int] = set()
        total, node = 0, areas.get(pk)
        while node is not None:
            chain_ids.add(node.pk)
            total += strength.get(node.pk, 0)
            node = areas.get(node.parent_id) if node.parent_id else None
        # Another area named above this level, outside this chain, speaks against this one.
        depth = areas[pk].depth
        total -= sum(v for other, v in strength.items() if other not in chain_ids and areas[other].depth < depth)
        scored.append((total, depth, pk))
    scored.sort(reverse=True)
    best = scored[0]
    if len(scored) > 1 and scored[1][:2] == best[:2]:
        return None
    return Unit.objects.filter(pk=best[2]).first()


def chain(unit: Unit | None) -> list[Unit]:
    """The government areas from the top down to `unit` (for the cascading picker)."""
    if unit is None:
        return []
    return [u for u in unit.ancestors() if u.kind == UnitKind.GOVERNMENT]


def by_division_code(code: str) -> Unit | None:
    code = (code or "").strip()
    if not code:
        return None
    return Unit.objects.filter(kind=UnitKind.GOVERNMENT, division_code=code, is_active=True).order_by("depth").first()
