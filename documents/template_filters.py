"""Filters available to every document template (registered as builtins of the document engine)."""

from django import template

register = template.Library()

_TRAILING = " \t\n\u3000。；;，,、.：:"


@register.filter
def sentence(value: object) -> str:
    """Text without trailing punctuation, so a template can close the sentence itself: {{ reasons|sentence }}。"""
    return str(value or "").rstrip(_TRAILING)
