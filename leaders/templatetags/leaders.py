from __future__ import annotations

from typing import Any

from django import template

from leaders import services
from leaders.selectors import can_answer_for

register = template.Library()


@register.inclusion_tag("leaders/_panel.html", takes_context=True)
def leader_panel(context: dict[str, Any], petition: Any) -> dict[str, Any]:
    """The matter page's leaders panel: instructions with their answers, the owned case, hearings and
    coordination meetings, and the actions this user may take. `petition` comes from a page that
    already checked it is visible to the user."""
    user = context["request"].user
    instructions = list(petition.instructions.select_related("leader", "unit", "responded_by").order_by("created_at"))
    for item in instructions:
        item.may_answer = item.state == "pending" and can_answer_for(user, item.unit)
    may_meet = any(user.can(c) for c in services.MEETING_CAPABILITIES)
    cases = list(petition.leader_cases.select_related("leader", "responsible_unit", "handler").order_by("-id"))
    open_case = next((c for c in cases if c.state == "open"), None)
    return {
        "petition": petition,
        "instructions": instructions,
        "cases": cases,
        "hearings": list(petition.hearings.select_related("room").order_by("scheduled_at")),
        "meetings": list(petition.coordination_meetings.order_by("held_at")),
        "may_instruct": user.can("instruct"),
        "may_own": open_case is None and (user.can("own_cases") or user.can("supervise")),
        "may_meet": may_meet,
    }
