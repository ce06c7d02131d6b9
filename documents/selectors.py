"""Which documents a user may see: those of the matters the scoping layer shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef

if TYPE_CHECKING:
    from documents.models import Document  # noqa: F401
    from petitions.models import Petition


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: Any) -> DocumentQuerySet:
        petition = apps.get_model("petitions", "Petition")
        visible = petition.objects.visible_to(user).filter(pk=OuterRef("petition_id"))
        return self.filter(Exists(visible))

    def of(self, petition: Petition) -> DocumentQuerySet:
        return self.filter(petition=petition).select_related("office", "created_by").order_by("created_at", "id")


def documents_of(petition: Petition) -> DocumentQuerySet:
    """The documents of a matter the caller has already fetched through `visible_to` (for the matter page)."""
    document = apps.get_model("documents", "Document")
    return document.objects.of(petition)
