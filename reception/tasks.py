from __future__ import annotations

from django_tasks import task

from reception import services


@task()
def remind_appointments() -> dict[str, int]:
    """Remind hosts and petitioners of appointments due within a day (each appointment once)."""
    return {"reminded": services.send_due_reminders()}


PERIODIC = [(remind_appointments, 900)]
