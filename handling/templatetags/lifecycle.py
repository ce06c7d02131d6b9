from __future__ import annotations

from typing import Any

from django import template

from deadlines.selectors import clock_rows
from handling.actions import ActionContext, available_actions
from handling.services import holder

register = template.Library()


@register.inclusion_tag("handling/_panel.html", takes_context=True)
def lifecycle_panel(context: dict[str, Any], petition: Any) -> dict[str, Any]:
    """The matter page's side panel: who holds it, each running clock, the actions offered."""
    user = context["request"].user
    action_context = ActionContext.load(petition, user)
    return {
        "petition": petition,
        "holder": holder(petition),
        "dispatch": action_context.dispatch,
        "reply": action_context.reply,
        "extension": action_context.extension,
        # The panel's template reads days_left as None on a finished clock (it then shows the state).
        "clocks": [{"clock": row.clock, "days_left": row.days_left if row.clock.is_active else None,
                    "overdue_days": -row.days_left if row.is_overdue else 0} for row in clock_rows(petition)],
        "actions": available_actions(action_context),
        "may_supervise": bool(action_context.running) and action_context.can("supervise"),
    }
