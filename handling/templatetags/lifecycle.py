from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from deadlines.models import Clock
from handling.actions import ActionContext, available_actions
from handling.services import holder

register = template.Library()


@register.inclusion_tag("handling/_panel.html", takes_context=True)
def lifecycle_panel(context: dict[str, Any], petition: Any) -> dict[str, Any]:
    """The matter page's side panel: who holds it, each running clock, the actions offered."""
    user = context["request"].user
    action_context = ActionContext.load(petition, user)
    today = timezone.localdate()
    clocks = []
    for clock in Clock.objects.filter(petition=petition).select_related("unit").order_by("started_on", "id"):
        days_left = (clock.due_on - today).days if clock.state in ("running", "paused") else None
        clocks.append({"clock": clock, "days_left": days_left,
                       "overdue_days": -days_left if days_left is not None and days_left < 0 else 0})
    return {
        "petition": petition,
        "holder": holder(petition),
        "dispatch": action_context.dispatch,
        "reply": action_context.reply,
        "extension": action_context.extension,
        "clocks": clocks,
        "actions": available_actions(action_context),
        "may_supervise": bool(action_context.running) and action_context.can("supervise"),
    }
