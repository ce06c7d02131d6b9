"""Periodic jobs. Each app's tasks.py may define PERIODIC = [(task, seconds), ...]; the scheduler
enqueues every task once per time slot, claimed with a conditional UPDATE so two schedulers (or a
restart) never enqueue the same slot twice."""

from __future__ import annotations

import datetime
import importlib
import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from core.models import PeriodicRun

logger = logging.getLogger("xinfang.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any
    every: int  # seconds


def discover() -> list[PeriodicJob]:
    jobs = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.tasks":
                continue
            raise
        for task, every in getattr(module, "PERIODIC", []):
            jobs.append(PeriodicJob(name=f"{config.name}.{task.name}", task=task, every=int(every)))
    return jobs


def slot_of(now: datetime.datetime, every: int) -> datetime.datetime:
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % every, tz=datetime.UTC)


def run_due(now: datetime.datetime | None = None, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Enqueue every job whose current slot has not been claimed yet. Returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs if jobs is not None else discover():
        slot = slot_of(now, job.every)
        PeriodicRun.objects.get_or_create(name=job.name)
        claimed = PeriodicRun.objects.filter(
            Q(last_slot__isnull=True) | Q(last_slot__lt=slot), name=job.name
        ).update(last_slot=slot, last_enqueued_at=now)
        if claimed:
            job.task.enqueue()
            enqueued.append(job.name)
            logger.info("enqueued %s for slot %s", job.name, slot.isoformat())
    return enqueued
