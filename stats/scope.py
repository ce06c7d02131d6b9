"""Whose figures: a unit and its subtree.

A user gets the figures of their own scope (the subtree of `user.unit.scope_root`) or of a unit
inside it; any other unit answers 404, the same as a matter they may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.http import Http404

from orgs.choices import LEVEL_RANK, Level
from orgs.models import Unit
from petitions.selectors import SUBTREE_END

LARGE_SCOPE = 800


@dataclass(frozen=True, eq=False)
class Scope:
    """The unit whose figures are counted, with its subtree loaded once (units are few; matters are many)."""

    unit: Unit
    units: tuple[Unit, ...] = field(default=(), repr=False)
    # Figures already read for this scope object (one page, report or API call): see metrics.cube.
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, unit: Unit) -> Scope:
        subtree = tuple(Unit.objects.filter(path__gte=unit.path, path__lt=unit.path + SUBTREE_END).order_by("path"))
        return cls(unit=unit, units=subtree)

    @cached_property
    def unit_ids(self) -> list[int]:
        return [u.pk for u in self.units]

    @cached_property
    def sql_ids(self) -> Any:
        """The subtree for SQL filters: the ids themselves for an ordinary scope, a subquery for a very
        large one (a province of thousands of units), so statements stay short on both databases."""
        if len(self.units) <= LARGE_SCOPE:
            return self.unit_ids
        return Unit.objects.filter(path__gte=self.unit.path, path__lt=self.unit.path + SUBTREE_END).values("pk")

    @cached_property
    def by_id(self) -> dict[int, Unit]:
        return {u.pk: u for u in self.units}

    @property
    def rank(self) -> int:
        """Level rank of the area the unit belongs to (province 1 … village 5)."""
        return LEVEL_RANK[Level(self.unit.level)]

    @cached_property
    def children(self) -> list[Unit]:
        return [u for u in self.units if u.parent_id == self.unit.pk]

    def child_of(self, unit_id: int | None) -> Unit | None:
        """The child of the scope unit whose subtree holds `unit_id`; the scope unit itself for its own
        rows; None when the unit lies outside the scope."""
        unit = self.by_id.get(unit_id) if unit_id is not None else None
        if unit is None:
            return None
        if unit.pk == self.unit.pk:
            return self.unit
        rest = unit.path[len(self.unit.path):]
        head = rest.split(".", 1)[0]
        child_path = f"{self.unit.path}{head}."
        for child in self.children:
            if child.path == child_path:
                return child
        return None

    def subtree_ids(self, unit: Unit) -> list[int]:
        return [u.pk for u in self.units if u.path.startswith(unit.path)]

    def contains(self, unit: Unit) -> bool:
        return unit.path.startswith(self.unit.path)

    def __str__(self) -> str:
        return self.unit.name


def user_root(user: Any) -> Unit:
    unit = getattr(user, "unit", None)
    if unit is None:
        raise Http404("无权查看统计")
    return unit.scope_root


def scope_for(user: Any, unit: Unit | int | str | None = None, *, by_code: bool = False) -> Scope:
    """The scope a user asked for: their own scope root by default, or a unit below it.

    `unit` is a Unit, an id, or (with by_code) a unit code. A unit outside the user's scope, or one
    that does not exist, raises Http404.
    """
    root = user_root(user)
    if unit in (None, ""):
        return Scope.of(root)
    if isinstance(unit, Unit):
        target: Unit | None = unit
    elif by_code:
        target = Unit.objects.filter(code=str(unit)).first()
    else:
        try:
            target = Unit.objects.filter(pk=int(str(unit))).first()
        except ValueError:
            target = None
    if target is None or not target.path.startswith(root.path):
        raise Http404("单位不存在或不在您的统计范围内")
    return Scope.of(target)
