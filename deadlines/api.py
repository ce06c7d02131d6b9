"""The deadlines API: a matter's clocks (期限), reminders (催办) and supervision orders (督办).

- GET  /api/clocks/?petition=ID            the clocks of the matters the user may see (due date, state, days left)
- GET  /api/clocks/due-soon/?within_days=3  running clocks due soon or overdue
- POST /api/clocks/remind/                 催办 the running clocks of the given matters (capability supervise)
- GET  /api/supervision-orders/?petition=ID  督办 orders of visible matters
- POST /api/supervision-orders/            issue a 督办 order (capability supervise) to the unit the page would pick

Every read starts from `Petition.objects.visible_to(user)`; changes go through deadlines.services.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import DomainError
from core.permissions import HasCapability, IsStaffMember
from deadlines import services
from deadlines.choices import ACTIVE_STATES, ClockKind, ClockState, SupervisionLevel
from deadlines.models import Clock, SupervisionOrder
from deadlines.selectors import ClockRow, due_soon, visible_clocks
from petitions.models import Petition
from petitions.selectors import get_visible_or_404


class ClockSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    petition_number = serializers.CharField(source="petition.number", read_only=True)
    day_unit_label = serializers.CharField(source="get_day_unit_display", read_only=True)
    days_left = serializers.SerializerMethodField(help_text="距届满的自然日数（逾期为负；暂停时按暂停日计）")
    is_overdue = serializers.SerializerMethodField()
    status_text = serializers.SerializerMethodField()

    class Meta:
        model = Clock
        fields = ["id", "petition", "petition_number", "kind", "kind_label", "unit", "unit_name", "days", "day_unit",
                  "day_unit_label", "started_on", "due_on", "state", "state_label", "stopped_on", "paused_on",
                  "paused_days", "extended_days", "reminded_at", "overdue_at", "supervision_level", "days_left",
                  "is_overdue", "status_text"]
        read_only_fields = fields

    def _row(self, obj: Clock) -> ClockRow:
        return ClockRow(clock=obj, days_left=obj.days_left(self.context.get("today")))

    def get_days_left(self, obj: Clock) -> int:
        return self._row(obj).days_left

    def get_is_overdue(self, obj: Clock) -> bool:
        return self._row(obj).is_overdue

    def get_status_text(self, obj: Clock) -> str:
        return self._row(obj).status_text


class ClockFilter(django_filters.FilterSet):
    petition = django_filters.NumberFilter(field_name="petition", help_text="事项 id")
    kind = django_filters.ChoiceFilter(choices=ClockKind.choices)
    state = django_filters.ChoiceFilter(choices=ClockState.choices)

    class Meta:
        model = Clock
        fields: list[str] = []


class RemindSerializer(serializers.Serializer):
    petitions = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                      min_length=1, max_length=1000, help_text="要催办的事项 id")


class RemindResultSerializer(serializers.Serializer):
    petitions = serializers.IntegerField(help_text="催办的事项数")
    clocks = serializers.IntegerField(help_text="催办的期限数")
    notifications = serializers.IntegerField(help_text="发出的提醒数")


@extend_schema_view(list=extend_schema(summary="期限列表（?petition=事项 id）"), retrieve=extend_schema(summary="期限"))
class ClockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Clocks of the matters the user may see, open ones first by due date."""

    serializer_class = ClockSerializer
    filterset_class = ClockFilter

    def get_permissions(self):  # noqa: ANN201
        if self.action == "remind":
            return [IsStaffMember(), HasCapability.of("supervise")()]
        return [IsStaffMember(), HasCapability.of("view_petitions")()]

    def get_queryset(self):  # noqa: ANN201
        return visible_clocks(self.request.user).select_related("petition", "unit").order_by("due_on", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(summary="即将到期和已逾期的期限", parameters=[OpenApiParameter("within_days", OpenApiTypes.INT, description="几日内届满（0–60，默认3）")],
                   responses={200: ClockSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="due-soon")
    def due_soon(self, request: Request) -> Response:
        """Running clocks due within `within_days` days, or already overdue (soonest first)."""
        raw = request.query_params.get("within_days", "3")
        if not raw.isdigit() or int(raw) > 60:
            raise DomainError("within_days 须为 0 到 60 之间的整数。", field="within_days")
        page = self.paginate_queryset(due_soon(request.user, within_days=int(raw)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="催办", request=RemindSerializer, responses={200: RemindResultSerializer})
    @action(detail=False, methods=["post"])
    def remind(self, request: Request) -> Response:
        """催办: notify the units responsible for the running clocks of these matters (matters the user
        cannot see are ignored)."""
        data = RemindSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.bulk_remind(data.validated_data["petitions"], actor=request.user)
        return Response({"petitions": result.petitions, "clocks": result.clocks,
                         "notifications": result.notifications})


class SupervisionOrderSerializer(serializers.ModelSerializer):
    level = serializers.IntegerField(read_only=True, help_text="1 一级督办（单位负责人），2 二级督办（属地领导）")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    petition_number = serializers.CharField(source="petition.number", read_only=True)
    issued_by_name = serializers.CharField(source="issued_by.display_name", default=None, read_only=True,
                                           help_text="空为系统自动督办")

    class Meta:
        model = SupervisionOrder
        fields = ["id", "petition", "petition_number", "clock", "level", "level_label", "unit", "unit_name",
                  "issued_at", "issued_by", "issued_by_name", "note"]
        read_only_fields = fields


class SupervisionOrderInSerializer(serializers.Serializer):
    petition = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="事项 id")
    clock = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                     max_value=2**63 - 1, help_text="针对的期限 id（须属于该事项）；不填为最先届满的在办期限。"
                                               "被督办单位是该期限的责任单位（无期限时为承办单位，再不然为登记单位），与督办页面相同")
    level = serializers.IntegerField(min_value=SupervisionLevel.UNIT_HEAD, max_value=SupervisionLevel.LEADER,
                                     default=SupervisionLevel.UNIT_HEAD,
                                     help_text="1 一级督办（单位负责人），2 二级督办（属地领导）")
    note = serializers.CharField(max_length=2000, help_text="督办意见")


class SupervisionOrderFilter(django_filters.FilterSet):
    petition = django_filters.NumberFilter(field_name="petition", help_text="事项 id")
    unit = django_filters.NumberFilter(field_name="unit", help_text="被督办单位 id")
    level = django_filters.NumberFilter(field_name="level", help_text="督办级别：1 或 2")

    class Meta:
        model = SupervisionOrder
        fields: list[str] = []


@extend_schema_view(list=extend_schema(summary="督办通知列表（?petition=事项 id）"),
                    retrieve=extend_schema(summary="督办通知"))
class SupervisionOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """督办 orders of the matters the user may see, newest first; people with the supervise
    capability issue them."""

    serializer_class = SupervisionOrderSerializer
    filterset_class = SupervisionOrderFilter

    def get_permissions(self):  # noqa: ANN201
        return [IsStaffMember(), HasCapability.of("view_petitions")()]

    def get_queryset(self):  # noqa: ANN201
        return (SupervisionOrder.objects.filter(petition__in=Petition.objects.visible_to(self.request.user))
                .select_related("petition", "unit", "issued_by").order_by("-issued_at", "-id"))

    @extend_schema(summary="督办", request=SupervisionOrderInSerializer, responses={201: SupervisionOrderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Issue a 督办 order: 404 if the matter is not visible, 403 without the supervise capability."""
        data = SupervisionOrderInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        petition = get_visible_or_404(request.user, pk=d["petition"])
        if not request.user.can("supervise"):  # type: ignore[union-attr]
            raise exceptions.PermissionDenied("当前角色无权催办或督办。")
        clocks = Clock.objects.filter(petition=petition).select_related("unit")
        if d["clock"] is not None:
            clock = clocks.filter(pk=d["clock"]).first()
            if clock is None:
                raise DomainError("所选期限不属于该事项。", field="clock")
        else:
            clock = clocks.filter(state__in=ACTIVE_STATES).order_by("due_on", "id").first()
        # The unit is derived exactly as on the 督办 page: the clock's unit, else who handles or registered it.
        unit = clock.unit if clock else (petition.handling_unit or petition.receiving_unit)
        order = services.issue_supervision_order(petition, unit=unit, actor=request.user, note=d["note"],
                                                 clock=clock, level=d["level"])
        return Response(SupervisionOrderSerializer(order).data, status=status.HTTP_201_CREATED)
