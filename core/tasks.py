from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

RESULT_RETENTION_DAYS = 30


@task()
def prune_task_results() -> int:
    """Delete finished background-job results older than the retention period."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(days=RESULT_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    return deleted


PERIODIC = [(prune_task_results, 24 * 3600)]
