"""The reception API, scoped like the pages and running the same services.

- /api/reception/centers/            centres of the user's area; POST (officer) creates; GET {id}/board/ the display
- /api/reception/desks/              desks; POST creates; POST {id}/issue/, {id}/call-next/
- /api/reception/tickets/            tickets (?desk=&day=&status=); POST {id}/call|recall|skip|requeue|cancel|serve/,
                                     {id}/register/ (registration of the visit), {id}/link/, {id}/interview/
- /api/reception/duty/               the leader reception roster; POST creates one day; POST generate/, publish/,
                                     {id}/swap/; GET published/?start=&days= (public)
- /api/reception/appointments/       约访; POST {id}/complete/, {id}/cancel/
- /api/reception/outreach/           下访
- /api/reception/lawyers/            duty lawyers; POST {id}/schedule/; /api/reception/consultations/
- /api/reception/incidents/          现场事件; POST {id}/follow-up/
Errors: {"code", "detail", "fields"} with 400/403/404/409; nothing is saved on an error.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.errors import DomainError
from core.permissions import IsStaffMember
from orgs.models import Unit
from petitions.choices import Kind, PartyRole
from petitions.models import Contact, Petition, Petitioner
from petitions.selectors import get_visible_or_404
from petitions.services import AccusedInput, PersonInput, RegistrationInput
from reception import selectors, services
from reception.choices import DutyPeriod, RoomKind
from reception.models import (
    Appointment,
    Consultation,
    Desk,
    DutySlot,
    Incident,
    Interview,
    Lawyer,
    Outreach,
    OutreachMatter,
    ReceptionCenter,
    Room,
    Ticket,
)


class AnyCapability(BasePermission):
    capabilities: tuple[str, ...] = ()
    message = "当前角色无权进行此操作。"

    @classmethod
    def of(cls, *capabilities: str) -> type[AnyCapability]:
        return type(f"Any_{'_'.join(capabilities)}", (cls,), {"capabilities": capabilities})

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        return request.user.is_authenticated and any(request.user.can(c) for c in self.capabilities)


RECEPTION: list[type[BasePermission]] = [IsStaffMember, AnyCapability.of("reception")]
RECEPTION_OR_LEADER: list[type[BasePermission]] = [IsStaffMember, AnyCapability.of("reception", "instruct")]


def _area(request: Request) -> Unit:
    """The unit whose roster the user edits: their unit's scope root (IsStaffMember ensures a unit)."""
    unit = getattr(request.user, "unit", None)
    assert unit is not None  # noqa: S101 - IsStaffMember
    return unit.scope_root


def _ok(data: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(data, status=code)


def _input(serializer_class: type[serializers.Serializer], request: Request, **context: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _visible_matter(request: Request, pk: Any) -> Petition | None:
    if pk in (None, ""):
        return None
    return get_visible_or_404(request.user, pk=pk)


def UserField(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:  # noqa: N802 - used like a field class
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), **kwargs)


def UnitField(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:  # noqa: N802 - used like a field class
    return serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), **kwargs)


# Centres, desks and the queue -----------------------------------------------------------------------

class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "kind", "sort_order"]


class DeskSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="room.kind", read_only=True)

    class Meta:
        model = Desk
        fields = ["id", "center", "room", "name", "prefix", "windows", "is_active", "kind"]
        read_only_fields = fields


class CenterSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    rooms = RoomSerializer(many=True, read_only=True)

    class Meta:
        model = ReceptionCenter
        fields = ["id", "unit", "unit_name", "name", "address", "opening_hours", "is_active", "rooms"]
        read_only_fields = fields


class CenterCreateSerializer(serializers.Serializer):
    unit = UnitField()
    name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    opening_hours = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class RoomCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    kind = serializers.ChoiceField(choices=RoomKind.choices)


class TicketSerializer(serializers.ModelSerializer):
    waiting_minutes = serializers.IntegerField(read_only=True)
    petition = serializers.IntegerField(source="contact.petition_id", default=None, read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "desk", "day", "number", "code", "status", "headcount", "note", "issued_at", "called_at",
                  "last_called_at", "window", "recall_count", "served_at", "finished_at", "contact", "petition",
                  "waiting_minutes"]
        read_only_fields = fields


@extend_schema(tags=["reception"])
class CenterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION
    serializer_class = CenterSerializer

    def get_queryset(self) -> QuerySet[ReceptionCenter]:
        return selectors.centers_visible_to(self.request.user).prefetch_related("rooms")

    @extend_schema(request=CenterCreateSerializer, responses={201: CenterSerializer})
    def create(self, request: Request) -> Response:
        d = _input(CenterCreateSerializer, request)
        center = services.create_center(actor=request.user, **d)
        return _ok(CenterSerializer(center).data, status.HTTP_201_CREATED)

    @extend_schema(request=RoomCreateSerializer, responses={201: RoomSerializer})
    @action(detail=True, methods=["post"])
    def rooms(self, request: Request, pk: str) -> Response:
        d = _input(RoomCreateSerializer, request)
        room = services.add_room(self.get_object(), actor=request.user, **d)
        return _ok(RoomSerializer(room).data, status.HTTP_201_CREATED)

    @extend_schema(summary="叫号屏数据", responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def board(self, request: Request, pk: str) -> Response:
        data = selectors.board(self.get_object(), timezone.localdate())
        return _ok({
            "now": TicketSerializer(data["now"]).data if data["now"] else None,
            "calling": TicketSerializer(data["calling"], many=True).data,
            "desks": [{"desk": row["desk"].pk, "prefix": row["desk"].prefix, "name": row["desk"].name,
                       "waiting": row["waiting"], "next": row["next"]} for row in data["desks"]],
        })


class DeskCreateSerializer(serializers.Serializer):
    center = serializers.IntegerField()
    room = serializers.IntegerField()
    name = serializers.CharField(max_length=50)
    prefix = serializers.CharField(max_length=2)
    windows = serializers.IntegerField(min_value=1, max_value=50, default=1)


class IssueSerializer(serializers.Serializer):
    headcount = serializers.IntegerField(min_value=1, default=1)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class WindowSerializer(serializers.Serializer):
    window = serializers.IntegerField(min_value=1, default=1)


@extend_schema(tags=["reception"])
class DeskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION
    serializer_class = DeskSerializer
    filterset_fields = ["center"]

    def get_queryset(self) -> QuerySet[Desk]:
        return selectors.desks_visible_to(self.request.user).order_by("center_id", "prefix")

    @extend_schema(request=DeskCreateSerializer, responses={201: DeskSerializer})
    def create(self, request: Request) -> Response:
        d = _input(DeskCreateSerializer, request)
        center = selectors.get_center_or_404(request.user, d["center"])
        room = center.rooms.filter(pk=d["room"]).first()
        if room is None:
            raise DomainError("所选接待室不属于该接待中心。", field="room")
        desk = services.add_desk(center, room=room, name=d["name"], prefix=d["prefix"], windows=d["windows"],
                                 actor=request.user)
        return _ok(DeskSerializer(desk).data, status.HTTP_201_CREATED)

    @extend_schema(summary="取号", request=IssueSerializer, responses={201: TicketSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str) -> Response:
        d = _input(IssueSerializer, request)
        ticket = services.issue_ticket(self.get_object(), actor=request.user, **d)
        return _ok(TicketSerializer(ticket).data, status.HTTP_201_CREATED)

    @extend_schema(summary="叫下一号", request=WindowSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"], url_path="call-next")
    def call_next(self, request: Request, pk: str) -> Response:
        d = _input(WindowSerializer, request)
        return _ok(TicketSerializer(services.call_next(self.get_object(), actor=request.user, window=d["window"])).data)


class VisitSerializer(serializers.Serializer):
    """The visit's registration: one person, the matter (or `attach_to` an open matter: a repeat)."""

    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    unverified_reason = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    headcount = serializers.IntegerField(min_value=1, default=1)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.CLAIM)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField()
    demands = serializers.CharField(required=False, default="", allow_blank=True)
    accused_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    accused_position = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    attach_to = serializers.IntegerField(required=False, allow_null=True, default=None)


class LinkSerializer(serializers.Serializer):
    contact = serializers.IntegerField()


class InterviewInputSerializer(serializers.Serializer):
    statement = serializers.CharField()
    answer = serializers.CharField()
    next_steps = serializers.CharField(required=False, default="", allow_blank=True)
    leader = UserField(required=False, allow_null=True, default=None)


class InterviewSerializer(serializers.ModelSerializer):
    minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Interview
        fields = ["id", "ticket", "petition", "interviewer", "leader", "started_at", "ended_at", "minutes",
                  "statement", "answer", "next_steps", "headcount"]
        read_only_fields = fields


@extend_schema(tags=["reception"])
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION
    serializer_class = TicketSerializer
    filterset_fields = ["desk", "day", "status"]

    def get_queryset(self) -> QuerySet[Ticket]:
        return selectors.tickets_visible_to(self.request.user).select_related("contact").order_by("-day", "desk",
                                                                                                  "number")

    def _do(self, request: Request, fn: Any) -> Response:
        ticket = fn(self.get_object())
        ticket.refresh_from_db()
        return _ok(TicketSerializer(ticket).data)

    @extend_schema(summary="叫这个号", request=WindowSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def call(self, request: Request, pk: str) -> Response:
        window = _input(WindowSerializer, request)["window"]
        return self._do(request, lambda t: services.call_ticket(t, actor=request.user, window=window))

    @extend_schema(summary="重呼", request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk: str) -> Response:
        return self._do(request, lambda t: services.recall(t, actor=request.user))

    @extend_schema(summary="过号", request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk: str) -> Response:
        return self._do(request, lambda t: services.skip(t, actor=request.user))

    @extend_schema(summary="恢复候访", request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def requeue(self, request: Request, pk: str) -> Response:
        return self._do(request, lambda t: services.requeue(t, actor=request.user))

    @extend_schema(summary="取消", request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._do(request, lambda t: services.cancel_ticket(t, actor=request.user))

    @extend_schema(summary="开始接待", request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def serve(self, request: Request, pk: str) -> Response:
        return self._do(request, lambda t: services.start_serving(t, actor=request.user))

    @extend_schema(summary="登记本次来访并关联", request=VisitSerializer, responses={201: TicketSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        d = _input(VisitSerializer, request)
        attach_to = _visible_matter(request, d["attach_to"])
        accused = []
        if d["kind"] == Kind.ACCUSATION and d["accused_name"].strip():
            accused.append(AccusedInput(name=d["accused_name"].strip(), position=d["accused_position"].strip()))
        data = RegistrationInput(
            channel="visit", receiving_unit=ticket.desk.center.unit, title=d["title"], content=d["content"],
            demands=d["demands"], kind=d["kind"], headcount=d["headcount"], accused=accused,
            people=[PersonInput(name=d["name"], id_number=d["id_number"], phone=d["phone"], address=d["address"],
                                unverified_reason=d["unverified_reason"], role=PartyRole.PETITIONER)])
        services.register_visit(ticket, data, actor=request.user, attach_to=attach_to)
        ticket.refresh_from_db()
        return _ok(TicketSerializer(ticket).data, status.HTTP_201_CREATED)

    @extend_schema(summary="关联已登记的来访", request=LinkSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str) -> Response:
        contact_id = _input(LinkSerializer, request)["contact"]
        contact = Contact.objects.filter(pk=contact_id, petition__in=Petition.objects.visible_to(request.user)).first()
        if contact is None:
            raise DomainError("登记（件次）不存在或无权查看。", field="contact")
        return self._do(request, lambda t: services.link_contact(t, contact, actor=request.user))

    @extend_schema(summary="记录接谈并结束接待", request=InterviewInputSerializer, responses={201: InterviewSerializer})
    @action(detail=True, methods=["post"])
    def interview(self, request: Request, pk: str) -> Response:
        d = _input(InterviewInputSerializer, request)
        interview = services.record_interview(self.get_object(), actor=request.user, **d)
        return _ok(InterviewSerializer(interview).data, status.HTTP_201_CREATED)


# The roster -------------------------------------------------------------------------------------------

class DutySerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.display_name", read_only=True)
    leader_title = serializers.CharField(source="leader.title", read_only=True)

    class Meta:
        model = DutySlot
        fields = ["id", "unit", "date", "period", "leader", "leader_name", "leader_title", "center", "place",
                  "topics", "published_at"]
        read_only_fields = fields


class DutyCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    period = serializers.ChoiceField(choices=DutyPeriod.choices, default=DutyPeriod.FULL_DAY)
    leader = UserField()
    center = serializers.IntegerField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    topics = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RotationSerializer(serializers.Serializer):
    start = serializers.DateField()
    weeks = serializers.IntegerField(min_value=1, max_value=26)
    leaders = serializers.ListField(child=UserField(), min_length=1)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6),
                                     default=[0, 1, 2, 3, 4])
    period = serializers.ChoiceField(choices=DutyPeriod.choices, default=DutyPeriod.FULL_DAY)
    center = serializers.IntegerField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    topics = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    skip_holidays = serializers.BooleanField(default=True)


class SwapSerializer(serializers.Serializer):
    to_leader = UserField()
    reason = serializers.CharField(max_length=200, allow_blank=True)


class PublishSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class RosterEntrySerializer(serializers.Serializer):
    date = serializers.DateField()
    period = serializers.CharField()
    leader_name = serializers.CharField()
    leader_title = serializers.CharField()
    unit_name = serializers.CharField()
    place = serializers.CharField()
    topics = serializers.CharField()


@extend_schema(tags=["reception"])
class DutyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The leader reception roster of the user's area (and the areas above it). Writes act on the
    roster of the user's area (their unit's scope root)."""

    permission_classes = RECEPTION_OR_LEADER
    serializer_class = DutySerializer
    filterset_fields = ["leader", "date"]

    def get_permissions(self) -> Any:
        if self.action == "published":
            return [AllowAny()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[DutySlot]:
        return selectors.roster_visible_to(self.request.user)

    def _center(self, pk: int | None) -> ReceptionCenter | None:
        return selectors.get_center_or_404(self.request.user, pk) if pk else None

    @extend_schema(request=DutyCreateSerializer, responses={201: DutySerializer})
    def create(self, request: Request) -> Response:
        d = _input(DutyCreateSerializer, request)
        slot = services.add_duty(unit=_area(request), day=d["date"], period=d["period"],
                                 leader=d["leader"], center=self._center(d["center"]), place=d["place"],
                                 topics=d["topics"], actor=request.user)
        return _ok(DutySerializer(slot).data, status.HTTP_201_CREATED)

    @extend_schema(summary="生成轮值", request=RotationSerializer, responses={201: DutySerializer(many=True)})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        d = _input(RotationSerializer, request)
        slots = services.generate_rotation(unit=_area(request), start=d["start"], weeks=d["weeks"],
                                           leaders=d["leaders"], weekdays=d["weekdays"], period=d["period"],
                                           center=self._center(d["center"]), place=d["place"], topics=d["topics"],
                                           skip_holidays=d["skip_holidays"], actor=request.user)
        return _ok(DutySerializer(slots, many=True).data, status.HTTP_201_CREATED)

    @extend_schema(summary="调班", request=SwapSerializer, responses={200: DutySerializer})
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, pk: str) -> Response:
        d = _input(SwapSerializer, request)
        slot = self.get_object()
        services.swap_duty(slot, to_leader=d["to_leader"], reason=d["reason"], actor=request.user)
        slot.refresh_from_db()
        return _ok(DutySerializer(slot).data)

    @extend_schema(summary="向社会公布", request=PublishSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def publish(self, request: Request) -> Response:
        d = _input(PublishSerializer, request)
        count = services.publish_roster(unit=_area(request), actor=request.user, **d)
        return _ok({"published": count})

    @extend_schema(summary="已公布的领导接访日（公开）", parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("days", OpenApiTypes.INT)],
        responses={200: RosterEntrySerializer(many=True)})
    @action(detail=False, methods=["get"])
    def published(self, request: Request) -> Response:
        try:
            start = datetime.date.fromisoformat(request.query_params.get("start", ""))
        except ValueError:
            start = timezone.localdate()
        try:
            days = max(1, min(int(request.query_params.get("days", 14)), 92))
        except ValueError:
            days = 14
        return _ok(RosterEntrySerializer(selectors.published_roster(start, days), many=True).data)


# Appointments and outreach -----------------------------------------------------------------------------

class AppointmentSerializer(serializers.ModelSerializer):
    petition_number = serializers.CharField(source="petition.number", read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "unit", "petition", "petition_number", "petitioner", "leader", "host_unit", "scheduled_at",
                  "place", "purpose", "status", "remind_petitioner", "reminded_at", "outcome", "created_at"]
        read_only_fields = fields


class AppointmentCreateSerializer(serializers.Serializer):
    petition = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=200)
    leader = UserField(required=False, allow_null=True, default=None)
    host_unit = UnitField(required=False, allow_null=True, default=None)
    petitioner = serializers.PrimaryKeyRelatedField(queryset=Petitioner.objects.all(), required=False,
                                                    allow_null=True, default=None)
    remind_petitioner = serializers.BooleanField(default=True)


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(allow_blank=True, default="")
    attended = serializers.BooleanField(default=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


@extend_schema(tags=["reception"])
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION_OR_LEADER
    serializer_class = AppointmentSerializer
    filterset_fields = ["status", "leader", "petition"]

    def get_queryset(self) -> QuerySet[Appointment]:
        return selectors.appointments_visible_to(self.request.user)

    @extend_schema(request=AppointmentCreateSerializer, responses={201: AppointmentSerializer})
    def create(self, request: Request) -> Response:
        d = _input(AppointmentCreateSerializer, request)
        d["petition"] = get_visible_or_404(request.user, pk=d["petition"])
        appointment = services.book_appointment(actor=request.user, **d)
        return _ok(AppointmentSerializer(appointment).data, status.HTTP_201_CREATED)

    @extend_schema(summary="约访办结", request=CompleteSerializer, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        d = _input(CompleteSerializer, request)
        return _ok(AppointmentSerializer(services.complete_appointment(self.get_object(), actor=request.user,
                                                                       **d)).data)

    @extend_schema(summary="取消约访", request=ReasonSerializer, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        d = _input(ReasonSerializer, request)
        return _ok(AppointmentSerializer(services.cancel_appointment(self.get_object(), actor=request.user,
                                                                     **d)).data)


class OutreachMatterSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutreachMatter
        fields = ["petition", "resolved", "result"]


class OutreachSerializer(serializers.ModelSerializer):
    matters = serializers.SerializerMethodField()

    class Meta:
        model = Outreach
        fields = ["id", "unit", "date", "place", "led_by", "team", "summary", "matters", "created_at"]
        read_only_fields = fields

    def get_matters(self, obj: Outreach) -> Any:
        # Prefetched by the viewset with only the matters this user may see.
        return OutreachMatterSerializer(obj.matters.all(), many=True).data


class OutreachMatterInput(serializers.Serializer):
    petition = serializers.IntegerField()
    resolved = serializers.BooleanField(default=False)
    result = serializers.CharField(allow_blank=True, default="")


class OutreachCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    place = serializers.CharField(max_length=200)
    team = serializers.CharField(max_length=300)
    summary = serializers.CharField()
    led_by = UserField(required=False, allow_null=True, default=None)
    matters = OutreachMatterInput(many=True, required=False, default=list)


@extend_schema(tags=["reception"])
class OutreachViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION_OR_LEADER
    serializer_class = OutreachSerializer

    def get_queryset(self) -> QuerySet[Outreach]:
        visible = Petition.objects.visible_to(self.request.user)
        return selectors.outreach_visible_to(self.request.user).prefetch_related(
            Prefetch("matters", queryset=OutreachMatter.objects.filter(petition__in=visible).order_by("id")))

    @extend_schema(request=OutreachCreateSerializer, responses={201: OutreachSerializer})
    def create(self, request: Request) -> Response:
        d = _input(OutreachCreateSerializer, request)
        matters = [services.OutreachMatterInput(petition=get_visible_or_404(request.user, pk=m["petition"]),
                                                resolved=m["resolved"], result=m["result"]) for m in d["matters"]]
        outreach = services.record_outreach(day=d["date"], place=d["place"], team=d["team"], summary=d["summary"],
                                            led_by=d["led_by"], matters=matters, actor=request.user)
        return _ok(OutreachSerializer(self.get_queryset().get(pk=outreach.pk)).data, status.HTTP_201_CREATED)


# Lawyers, consultations, incidents ---------------------------------------------------------------------

class LawyerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lawyer
        fields = ["id", "center", "name", "firm", "license_no", "phone", "is_active"]
        read_only_fields = ["id", "is_active"]


class LawyerDutySerializer(serializers.Serializer):
    date = serializers.DateField()
    period = serializers.ChoiceField(choices=DutyPeriod.choices, default=DutyPeriod.FULL_DAY)


@extend_schema(tags=["reception"])
class LawyerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION
    serializer_class = LawyerSerializer

    def get_queryset(self) -> QuerySet[Lawyer]:
        return selectors.lawyers_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        d = _input(LawyerSerializer, request)
        center = selectors.get_center_or_404(request.user, d.pop("center").pk)
        lawyer = services.add_lawyer(center, actor=request.user, **d)
        return _ok(LawyerSerializer(lawyer).data, status.HTTP_201_CREATED)

    @extend_schema(summary="律师值班", request=LawyerDutySerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str) -> Response:
        d = _input(LawyerDutySerializer, request)
        duty = services.schedule_lawyer(self.get_object(), day=d["date"], period=d["period"], actor=request.user)
        return _ok({"id": duty.pk, "date": duty.date, "period": duty.period}, status.HTTP_201_CREATED)


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consultation
        fields = ["id", "center", "lawyer", "ticket", "petition", "at", "topic", "advice", "headcount"]
        read_only_fields = ["id", "center", "at"]


@extend_schema(tags=["reception"])
class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION
    serializer_class = ConsultationSerializer

    def get_queryset(self) -> QuerySet[Consultation]:
        return selectors.consultations_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        serializer = ConsultationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        lawyer = selectors.lawyers_visible_to(request.user).filter(pk=d["lawyer"].pk).first()
        if lawyer is None:
            raise DomainError("律师不存在或不在您的工作范围内。", field="lawyer")
        ticket = selectors.tickets_visible_to(request.user).filter(pk=d["ticket"].pk).first() if d.get("ticket") else None
        petition = _visible_matter(request, d["petition"].pk) if d.get("petition") else None
        consultation = services.record_consultation(lawyer=lawyer, topic=d["topic"], advice=d["advice"],
                                                    headcount=d.get("headcount", 1), ticket=ticket, petition=petition,
                                                    actor=request.user)
        return _ok(ConsultationSerializer(consultation).data, status.HTTP_201_CREATED)


class IncidentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "center", "occurred_at", "room", "place", "kind", "description", "staff_involved", "called",
                  "injuries", "follow_up", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class FollowUpSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


@extend_schema(tags=["reception"])
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = RECEPTION
    serializer_class = IncidentSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        return selectors.incidents_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        d = _input(IncidentSerializer, request)
        center = selectors.get_center_or_404(request.user, d.pop("center").pk)
        incident = services.record_incident(center=center, actor=request.user, **d)
        return _ok(IncidentSerializer(incident).data, status.HTTP_201_CREATED)

    @extend_schema(summary="补充后续处理", request=FollowUpSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: str) -> Response:
        d = _input(FollowUpSerializer, request)
        return _ok(IncidentSerializer(services.add_incident_follow_up(self.get_object(), text=d["text"],
                                                                      actor=request.user)).data)
