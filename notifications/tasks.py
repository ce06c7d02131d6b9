from __future__ import annotations

from django_tasks import task

from notifications.services import deliver


@task()
def send_petitioner_message(message_id: int) -> str:
    """Send one queued notice to a petitioner; sends nothing if it was already sent."""
    return str(deliver(message_id))
