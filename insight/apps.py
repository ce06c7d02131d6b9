from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save


def _petition_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """After commit: record the suggestions shown / the officer's choice, and index the matter."""
    if raw:
        return
    from insight import services

    transaction.on_commit(lambda: services.on_petition_saved(instance, created))


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = "智能辅助"

    def ready(self) -> None:
        post_save.connect(_petition_saved, sender="petitions.Petition", dispatch_uid="insight_petition_saved")
