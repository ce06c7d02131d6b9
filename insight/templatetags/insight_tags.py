"""Template tags of the insight app: the answer lines (口径) shown beside a reply being drafted."""

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
            rows.append({"matter": matter, "score": line.score, "excerpt": line.excerpt,
                         "text": opinion or line.reply})
    return {"rows": rows, "petition": petition}
