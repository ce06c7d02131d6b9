from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from orgs.choices import LEVEL_RANK, Level, UnitKind

division_code_validator = RegexValidator(
    r"^(\d{6}|\d{12})$", "行政区划代码应为6位（县级及以上）或12位（乡镇、村）数字"
)


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)


class Unit(models.Model):
    """A node of the org tree (属地管理、分级负责).

    `path` is a materialised path of zero-padded ids ("000001.000007.") so a subtree is one
    indexed prefix range, which is what the scoping layer filters on.
    """

    code = models.CharField("单位编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    kind = models.CharField("类型", max_length=12, choices=UnitKind.choices)
    division_code = models.CharField(
        "行政区划代码", max_length=12, validators=[division_code_validator], db_index=True
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def level_rank(self) -> int:
        return LEVEL_RANK[Level(self.level)]

    @property
    def is_area(self) -> bool:
        """A government node stands for an administrative area (a locality)."""
        return self.kind == UnitKind.GOVERNMENT

    @property
    def scope_root(self) -> Unit:
        """The node whose subtree this unit's staff oversee.

        A 信访局 works for the government of its level, so its staff see that whole area.
        """
        if self.kind == UnitKind.BUREAU and self.parent_id:
            return self.parent  # type: ignore[return-value]
        return self

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(part) for part in self.path.strip(".").split(".") if part]

    def ancestors(self) -> UnitQuerySet:
        return Unit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    def area(self) -> Unit:
        """The nearest government node at or above this unit: the area it belongs to."""
        if self.is_area:
            return self
        for unit in reversed(list(self.ancestors())):
            if unit.is_area:
                return unit
        return self

    def bureau(self) -> Unit | None:
        """The 信访局 serving this unit's area, if any."""
        area = self.area()
        return Unit.objects.filter(parent=area, kind=UnitKind.BUREAU, is_active=True).first()
