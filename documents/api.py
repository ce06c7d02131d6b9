from __future__ import annotations

from django.urls import reverse
from rest_framework import mixins, serializers, viewsets

from documents.models import Document


class DocumentSerializer(serializers.ModelSerializer):
    petition_number = serializers.CharField(source="petition.number", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    docx_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "petition", "petition_number", "kind", "kind_label", "title", "doc_number", "office",
                  "office_name", "created_at", "created_by", "for_petitioner", "delivered_at", "docx_url", "pdf_url"]
        read_only_fields = fields

    def _url(self, name: str, obj: Document) -> str:
        path = reverse(name, args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_docx_url(self, obj: Document) -> str:
        return self._url("documents:docx", obj)

    def get_pdf_url(self, obj: Document) -> str:
        return self._url("documents:pdf", obj)


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Documents of the matters the user may see; `?petition=ID` lists one matter's. Files: the *_url links."""

    serializer_class = DocumentSerializer
    filterset_fields = ["petition", "kind", "for_petitioner"]

    def get_queryset(self):  # noqa: ANN201
        return (Document.objects.visible_to(self.request.user).select_related("petition", "office")
                .order_by("-created_at", "-id"))
