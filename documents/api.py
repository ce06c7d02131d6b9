"""The documents API: the rendered papers of the matters the user may see.

- GET  /api/documents/?petition=ID        a matter's documents (scoped like the matter page)
- GET  /api/documents/{id}/               one document
- GET  /api/documents/{id}/docx/, /pdf/   the file (needs view_personal; audited, as on the page)
- POST /api/documents/{id}/deliver/       record its delivery (送达): method (default 直接送达), date (default today)

Documents are rendered by the lifecycle actions (POST /api/petitions/{id}/{action}/), as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from documents import services
from documents.choices import DeliveryMethod
from documents.models import Document
from documents.views import DELIVER_CAPABILITIES
from petitions.api import FileResponseMixin


class DocumentSerializer(serializers.ModelSerializer):
    petition_number = serializers.CharField(source="petition.number", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    docx_url = serializers.SerializerMethodField(help_text="网页下载地址（登录会话）")
    pdf_url = serializers.SerializerMethodField(help_text="网页下载地址（登录会话）")
    docx_api_url = serializers.SerializerMethodField(help_text="接口下载地址（令牌）")
    pdf_api_url = serializers.SerializerMethodField(help_text="接口下载地址（令牌）")

    class Meta:
        model = Document
        fields = ["id", "petition", "petition_number", "kind", "kind_label", "title", "doc_number", "office",
                  "office_name", "created_at", "created_by", "for_petitioner", "delivered_at", "delivery_method",
                  "docx_url", "pdf_url", "docx_api_url", "pdf_api_url"]
        read_only_fields = fields

    def _url(self, name: str, obj: Document) -> str:
        path = reverse(name, args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_docx_url(self, obj: Document) -> str:
        return self._url("documents:docx", obj)

    def get_pdf_url(self, obj: Document) -> str:
        return self._url("documents:pdf", obj)

    def get_docx_api_url(self, obj: Document) -> str:
        return self._url("document-docx", obj)

    def get_pdf_api_url(self, obj: Document) -> str:
        return self._url("document-pdf", obj)


class DeliverySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices, default=DeliveryMethod.DIRECT,
                                     help_text="送达方式，不填为直接送达")
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="送达日期（YYYY-MM-DD），不填为今天；不能晚于今天、不能早于文书生成日期")


@extend_schema_view(list=extend_schema(summary="文书列表（?petition=事项 id）"), retrieve=extend_schema(summary="文书"))
class DocumentViewSet(FileResponseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Documents of the matters the user may see; `?petition=ID` lists one matter's."""

    serializer_class = DocumentSerializer
    filterset_fields = ["petition", "kind", "for_petitioner"]
    file_actions = ("docx", "pdf")

    def get_queryset(self):  # noqa: ANN201
        return (Document.objects.visible_to(self.request.user).select_related("petition", "office")
                .order_by("-created_at", "-id"))

    def _file(self, request: Request, pk: str, fmt: str) -> Any:
        from documents.views import download

        document = self.get_object()  # 404 before anything else when not visible
        return download(request._request, pk=document.pk, fmt=fmt)

    @extend_schema(summary="下载 Word 文件", responses={
        (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def docx(self, request: Request, pk: str) -> Any:
        """The DOCX file. Needs the view_personal capability; every download is audited."""
        return self._file(request, pk, "docx")

    @extend_schema(summary="下载 PDF 文件", responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str) -> Any:
        """The PDF file. Needs the view_personal capability; every download is audited."""
        return self._file(request, pk, "pdf")

    @extend_schema(summary="登记送达", request=DeliverySerializer, responses={200: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str) -> Response:
        """Record that the document was delivered (送达). 409 if its delivery is already recorded."""
        document = self.get_object()
        if not any(request.user.can(c) for c in DELIVER_CAPABILITIES):  # type: ignore[union-attr]
            raise exceptions.PermissionDenied("当前角色无权登记文书送达。")
        data = DeliverySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.mark_delivered(document, actor=request.user, on=data.validated_data["delivered_on"],
                                method=data.validated_data["method"])
        document.refresh_from_db()
        return Response(DocumentSerializer(document, context={"request": request}).data)
