"""Background jobs of insight: keep the indexes and suggesters current.

- every day: rebuild the near-duplicate index (between rebuilds, `services.neardup_index()` catches
  up with newly registered matters by id) and the answer-line index;
- every hour: retrain the suggesters when enough matters have been concluded since the last training
  (a kind with too little data is skipped), and look for new early signs (苗头) to alert.
"""

from __future__ import annotations

import logging

from django_tasks import task

from insight import services

logger = logging.getLogger(__name__)


@task()
def rebuild_indexes() -> dict[str, str]:
    return {"neardup": services.rebuild_neardup_index(), "answer_lines": services.rebuild_answer_lines()}


@task()
def retrain_suggesters() -> dict[str, str]:
    """Retrain the suggesters that are due: no model yet, or enough matters concluded since the last
    training (setting INSIGHT_RETRAIN_AFTER, default 200). Checked every hour; cheap when nothing is due."""
    return services.retrain_when_due()


@task()
def check_early_signs() -> int:
    """Alert the locality's unit and the 信访局 about new early signs (see services.alert_early_signs)."""
    return len(services.alert_early_signs())


PERIODIC = [(rebuild_indexes, 24 * 3600), (retrain_suggesters, 3600), (check_early_signs, 3600)]
