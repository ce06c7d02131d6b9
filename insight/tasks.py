"""Background jobs of insight: keep the indexes and suggesters current.

- every day: rebuild the near-duplicate index (between rebuilds, `services.neardup_index()` catches
  up with newly registered matters by id) and the answer-line index;
- every week: retrain the three suggesters from the database (a kind with too little data is skipped).
"""

from __future__ import annotations

import logging

from django_tasks import task

from core.errors import DomainError
from insight import services

logger = logging.getLogger(__name__)


@task()
def rebuild_indexes() -> dict[str, str]:
    return {"neardup": services.rebuild_neardup_index(), "answer_lines": services.rebuild_answer_lines()}


@task()
def retrain_suggesters() -> dict[str, str]:
    done = {}
    for kind in services.SUGGESTER_KINDS:
        try:
            done[kind] = services.train_suggester(kind).version
        except DomainError as exc:
            logger.info("insight: %s suggester not trained: %s", kind, exc.message)
            done[kind] = ""
    return done


PERIODIC = [(rebuild_indexes, 24 * 3600), (retrain_suggesters, 7 * 24 * 3600)]
