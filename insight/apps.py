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


def _dispatch_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """After commit: a transfer or assignment decides the handling-unit suggestion row (the officer's choice).
    Listening here keeps handling free of insight: every dispatch (page, API, bulk transfer) goes through
    handling.services, which creates the Dispatch row."""
    if raw or not created:
        return
    from insight import services

    pk = instance.pk
    transaction.on_commit(lambda: services.on_dispatch_created(pk))


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = "智能辅助"

    def ready(self) -> None:
        post_save.connect(_petition_saved, sender="petitions.Petition", dispatch_uid="insight_petition_saved")
        post_save.connect(_dispatch_created, sender="handling.Dispatch", dispatch_uid="insight_dispatch_created")
