from __future__ import annotations

from django.db import models


class Sequence(models.Model):
    """Named counters for readable numbers (matter numbers, bulletin issue numbers, tickets)."""

    key = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class PeriodicRun(models.Model):
    """When each periodic job was last enqueued, so the scheduler never double-queues a slot."""

    name = models.CharField(max_length=100, unique=True)
    last_slot = models.DateTimeField(null=True, blank=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "周期任务"
        verbose_name_plural = "周期任务"

    def __str__(self) -> str:
        return self.name
