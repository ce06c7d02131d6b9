from __future__ import annotations

from django import template

from documents.forms import DeliveryForm
from documents.models import Document

register = template.Library()


@register.simple_tag
def delivery_form(document: Document) -> DeliveryForm:
    """The 登记送达 form of one document in a list (ids made unique per document)."""
    return DeliveryForm(auto_id=f"delivery-{document.pk}-%s")
