"""Roles (DESIGN.md "Users and roles") and what each may do.

Capabilities are checked by views and services with `can(user, "...")`. What a user may *see* is
decided by the scoping layer (selectors), not here.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", "登记员"
    OFFICER = "officer", "信访干部"
    HANDLER = "handler", "承办人"
    UNIT_HEAD = "unit_head", "单位负责人"
    LEADER = "leader", "领导"
    ANALYST = "analyst", "统计"
    ADMIN = "admin", "管理员"


CAPABILITIES: dict[str, set[str]] = {
    Role.FRONT_DESK: {"register", "view_petitions", "reception", "view_personal"},
    Role.OFFICER: {"register", "view_petitions", "triage", "supervise", "handle", "reception", "view_personal",
                   "review_report", "import", "view_stats", "prevention"},
    Role.HANDLER: {"view_petitions", "handle", "view_personal"},
    Role.UNIT_HEAD: {"view_petitions", "handle", "approve", "view_stats", "view_personal"},
    Role.LEADER: {"view_petitions", "instruct", "own_cases", "view_stats", "reception", "view_personal", "approve"},
    Role.ANALYST: {"view_petitions", "view_stats", "reports"},
    Role.ADMIN: {"view_petitions", "admin", "import", "view_stats", "reports", "view_personal"},
}

# Navigation entries and the capability each needs; the UI shell shows only what the role may use
# and only modules whose URL exists.
NAVIGATION: list[tuple[str, str, str]] = [
    ("工作台", "core:home", ""),
    ("信访事项", "petitions:list", "view_petitions"),
    ("登记", "petitions:register", "register"),
    ("期限督办", "deadlines:board", "supervise"),
    ("统计分析", "stats:dashboard", "view_stats"),
    ("接待中心", "reception:home", "reception"),
    ("领导工作", "leaders:home", "instruct"),
    ("排查预警", "insight:home", "prevention"),
    ("我的任务", "leaders:tasks", ""),
    ("系统管理", "admin:index", "admin"),
]


def capabilities_of(user: object) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    caps = set(CAPABILITIES.get(getattr(user, "role", ""), set()))
    if getattr(user, "is_superuser", False):
        caps |= set().union(*CAPABILITIES.values())
    return caps


def can(user: object, capability: str) -> bool:
    return capability in capabilities_of(user)
