from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from deadlines.services import sweep


@task()
def sweep_deadlines() -> dict[str, int]:
    """Reminders, overdue flags and supervision orders for every running clock (see services.sweep)."""
    return asdict(sweep())


PERIODIC = [(sweep_deadlines, 600)]
