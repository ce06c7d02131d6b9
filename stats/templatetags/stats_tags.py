"""Formatting of figures on statistics pages."""

from __future__ import annotations

from typing import Any

from django import template

from stats.metrics import Ratio

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    """60.0% for a percentage or a Ratio; — when there is nothing to divide."""
    if isinstance(value, Ratio):
        value = value.percent
    if value is None:
        return "—"
    return f"{value:.1f}%"


@register.filter
def chg(value: Any) -> str:
    """+12.5% / -3.0% for a change; — when there is nothing to compare with."""
    if value is None:
        return "—"
    return f"{value:+.1f}%"


@register.filter
def pp(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}个百分点"


@register.filter
def trend_class(value: Any) -> str:
    if value is None or value == 0:
        return "text-muted"
    return "stats-up" if value > 0 else "stats-down"


@register.filter
def getitem(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def fraction(value: Any) -> str:
    if isinstance(value, Ratio):
        return f"{value.numerator}/{value.denominator}"
    return "—"
