"""Template tags of the insight app: the answer lines (口径) shown beside a reply being drafted, and the
suggested handling units on the transfer and assignment forms."""

from __future__ import annotations

from typing import Any

from django import template

from insight import selectors, services

register = template.Library()


@register.inclusion_tag("insight/_reply_answer_lines.html", takes_context=True)
def reply_answer_lines(context: template.Context, petition: Any, k: int = 3) -> dict[str, Any]:
    """The replies the office gave to the `k` past matters most similar to `petition`, each with its matter
    (number, title, link), the similarity and the text to copy into the draft. Only matters the user may see
    (Petition.objects.visible_to) are listed: a reply of any other matter, accusations above all, never
    reaches the page, not even its number."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rows: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        lines = services.answer_lines(user, petition.content, title=petition.title, k=k, exclude=petition.pk)
        matters = selectors.answer_line_matters(user, [a.id for a in lines])
        for line in lines:
            found = matters.get(line.id)
            if found is None:
                continue
            matter, opinion = found
            if not opinion:
                continue  # no signed reply any more (withdrawn or replaced since the index was built)
            rows.append({"matter": matter, "score": line.score, "excerpt": line.excerpt, "text": opinion})
    return {"rows": rows, "petition": petition}


@register.inclusion_tag("insight/_unit_suggestions.html", takes_context=True)
def unit_suggestions(context: template.Context, petition: Any, form: Any, offered: bool = True,
                     field: str = "to_unit") -> dict[str, Any]:
    """The suggested handling units for `petition` as buttons that select the unit in `form`'s `field`: only
    units that field accepts (its queryset, already narrowed to the actor's area), never the actor's own unit
    and never a unit the Art. 30 guard refuses for an accusation (services.offerable_unit_suggestions). Nothing
    is shown when the action is not offered to the user or there is nothing to suggest."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rows: list[dict[str, Any]] = []
    bound = form[field] if form is not None and field in getattr(form, "fields", {}) else None
    if offered and bound is not None and user is not None and user.is_authenticated:
        rows = services.offerable_unit_suggestions(petition, user, bound.field.queryset)
    return {"rows": rows, "field_id": bound.id_for_label if bound is not None else ""}
