"""GET /api/stats/?unit=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD: the same object as `manage.py stats --json`
(stats.selectors.summary), for the caller's scope or a unit below it (any other unit: 404).
GET /api/stats/drilldown/?metric=&unit=&from=&to=[&part=][&dim=&key=]: the matters behind a figure."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import Pagination
from core.errors import DomainError
from core.permissions import HasCapability, IsStaffMember
from petitions.models import Petition
from stats import metrics as m
from stats.periods import Period
from stats.scope import Scope, scope_for
from stats.selectors import summary

COMMON_PARAMETERS = [
    OpenApiParameter("unit", OpenApiTypes.STR, description="单位编码；缺省为本人统计范围的根单位"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="开始日期（含）；缺省为本月1日"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="结束日期（含）；缺省为本月末"),
]


def request_scope_and_period(request: Request) -> tuple[Scope, Period]:
    scope = scope_for(request.user, request.query_params.get("unit") or None, by_code=True)
    start, end = request.query_params.get("from"), request.query_params.get("to")
    if not start and not end:
        return scope, Period.current_month(timezone.localdate())
    return scope, Period.parse(start, end)


class DrillRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Petition
        fields = ["id", "number", "title", "kind", "channel", "status", "received_at", "contact_count"]
        read_only_fields = fields


class StatsViewSet(viewsets.ViewSet):
    """Figures of a unit and period; every rate and count is defined in stats/metrics.py."""

    permission_classes = [IsStaffMember, HasCapability.of("view_stats")]

    @extend_schema(parameters=COMMON_PARAMETERS, responses=OpenApiTypes.OBJECT,
                   description="来信来访量（含 _yoy 同比变化百分比；collective_share_yoy 为百分点）和主要比率（百分比，一位小数）。")
    def list(self, request: Request) -> Response:
        scope, period = request_scope_and_period(request)
        return Response(summary(scope, period))

    @extend_schema(parameters=[
        *COMMON_PARAMETERS,
        OpenApiParameter("metric", OpenApiTypes.STR, required=True, description="指标代码，如 visit_people"),
        OpenApiParameter("part", OpenApiTypes.STR, description="比率的分子 num 或分母 den 等"),
        OpenApiParameter("dim", OpenApiTypes.STR, description="分组维度，如 category1、locality"),
        OpenApiParameter("key", OpenApiTypes.STR, description="分组的值"),
    ], responses=DrillRowSerializer(many=True))
    @action(detail=False, methods=["get"])
    def drilldown(self, request: Request) -> Response:
        try:
            metric = m.get(request.query_params.get("metric", ""))
        except LookupError:
            raise DomainError("没有这项统计指标。", field="metric") from None
        scope, period = request_scope_and_period(request)
        params: dict[str, Any] = {k: request.query_params.get(k, "") for k in ("part", "dim", "key")}
        try:
            if params["part"]:
                metric.part(params["part"])
            if params["dim"] and params["dim"] not in m.DIMENSIONS:
                raise ValueError(params["dim"])
            behind = metric.matters(scope, period, **params)
        except (ValueError, KeyError):
            raise Http404("统计口径参数无效") from None
        visible = (Petition.objects.visible_to(request.user).filter(pk__in=behind.values("pk"))
                   .order_by("-received_at", "-id"))
        paginator = Pagination()
        page = paginator.paginate_queryset(visible, request, view=self)
        response = paginator.get_paginated_response(DrillRowSerializer(page, many=True).data)
        response.data["metric"] = metric.key
        response.data["label"] = metric.label
        response.data["unit"] = metric.unit
        response.data["total_matters"] = behind.count()
        return response
