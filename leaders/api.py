"""The leaders API: everything here belongs to a matter and is visible exactly when the matter is.

- /api/leaders/instructions/    批示 / 圈阅 (POST creates: leaders); POST {id}/respond/; GET counts/?start=&end=
- /api/leaders/cases/           包案 (POST creates); POST {id}/notes/, {id}/resolve/; GET resolution/?start=&end=
- /api/leaders/hearings/        听证 (POST schedules); POST {id}/start/, {id}/conclude/, {id}/cancel/
- /api/leaders/meetings/        协调会 (POST plans); POST {id}/minutes/ (minutes with tasks)
- /api/leaders/tasks/           my open meeting tasks; POST {id}/complete/
A matter the user may not see answers 404; errors are {"code", "detail", "fields"}.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from leaders import selectors, services
from leaders.choices import CaseOutcome, InstructionKind
from leaders.models import CaseNote, Hearing, HearingParticipant, Instruction, LeaderCase, Meeting, MeetingTask
from orgs.models import Unit
from petitions.selectors import get_visible_or_404

DATE_RANGE = [OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE)]


def _input(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _range(request: Request) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    try:
        start = datetime.date.fromisoformat(request.query_params.get("start", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = datetime.date.fromisoformat(request.query_params.get("end", ""))
    except ValueError:
        end = today
    return start, end


def UserField(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:  # noqa: N802 - used like a field class
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), **kwargs)


def UnitField(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:  # noqa: N802 - used like a field class
    return serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), **kwargs)


# Instructions ----------------------------------------------------------------------------------------------

class InstructionSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.display_name", read_only=True)

    class Meta:
        model = Instruction
        fields = ["id", "petition", "leader", "leader_name", "kind", "text", "unit", "respond_by", "state",
                  "created_at", "response", "responded_at", "responded_by"]
        read_only_fields = fields


class InstructionCreateSerializer(serializers.Serializer):
    petition = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InstructionKind.choices, default=InstructionKind.INSTRUCTION)
    text = serializers.CharField(allow_blank=True, default="")
    unit = UnitField(required=False, allow_null=True, default=None)
    respond_by = serializers.DateField(required=False, allow_null=True, default=None)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


@extend_schema(tags=["leaders"])
class InstructionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = InstructionSerializer
    filterset_fields = ["petition", "leader", "state", "kind"]

    def get_queryset(self) -> QuerySet[Instruction]:
        return selectors.instructions_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=InstructionCreateSerializer, responses={201: InstructionSerializer})
    def create(self, request: Request) -> Response:
        d = _input(InstructionCreateSerializer, request)
        petition = get_visible_or_404(request.user, pk=d.pop("petition"))
        instruction = services.instruct(petition, actor=request.user, **d)
        return Response(InstructionSerializer(instruction).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="回复批示", request=TextSerializer, responses={200: InstructionSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        d = _input(TextSerializer, request)
        return Response(InstructionSerializer(services.respond_to_instruction(self.get_object(), actor=request.user,
                                                                              text=d["text"])).data)

    @extend_schema(summary="阅批统计（按领导）", parameters=DATE_RANGE, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        start, end = _range(request)
        return Response([c.__dict__ for c in selectors.instruction_counts(request.user, start, end)])


# Owned cases ------------------------------------------------------------------------------------------------

class CaseNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    notes = CaseNoteSerializer(many=True, read_only=True)

    class Meta:
        model = LeaderCase
        fields = ["id", "petition", "leader", "responsible_unit", "handler", "due_on", "quality_target", "state",
                  "outcome", "outcome_reason", "resolved_on", "created_at", "notes"]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    petition = serializers.IntegerField()
    leader = UserField()
    responsible_unit = UnitField()
    handler = UserField()
    due_on = serializers.DateField()
    quality_target = serializers.CharField(max_length=300, allow_blank=True)


class ResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    reason = serializers.CharField(allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema(tags=["leaders"])
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filterset_fields = ["petition", "leader", "state", "outcome", "responsible_unit"]

    def get_queryset(self) -> QuerySet[LeaderCase]:
        return selectors.cases_visible_to(self.request.user).prefetch_related("notes").order_by("due_on", "id")

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request: Request) -> Response:
        d = _input(CaseCreateSerializer, request)
        petition = get_visible_or_404(request.user, pk=d.pop("petition"))
        case = services.assign_case(petition, actor=request.user, **d)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="记录包案进展", request=TextSerializer, responses={201: CaseNoteSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        d = _input(TextSerializer, request)
        note = services.add_case_note(self.get_object(), actor=request.user, text=d["text"])
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="化解 / 未化解结案", request=ResolveSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        d = _input(ResolveSerializer, request)
        return Response(CaseSerializer(services.resolve_case(self.get_object(), actor=request.user, **d)).data)

    @extend_schema(summary="包案化解率", parameters=DATE_RANGE, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def resolution(self, request: Request) -> Response:
        start, end = _range(request)
        resolved, total = selectors.leader_case_resolution(request.user, start, end)
        return Response({"start": start, "end": end, "resolved": resolved, "total": total,
                         "rate": round(resolved / total, 4) if total else None})


# Hearings ----------------------------------------------------------------------------------------------------

class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = HearingParticipant
        fields = ["role", "name", "unit", "note"]
        extra_kwargs = {"name": {"allow_blank": True}}


class HearingSerializer(serializers.ModelSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Hearing
        fields = ["id", "petition", "unit", "scheduled_at", "room", "place", "issue", "status", "started_on",
                  "concluded_on", "days", "paused_clocks", "minutes", "conclusion", "participants"]
        read_only_fields = fields


class HearingCreateSerializer(serializers.Serializer):
    petition = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField()
    issue = serializers.CharField(allow_blank=True)
    room = serializers.IntegerField(required=False, allow_null=True, default=None)
    place = serializers.CharField(allow_blank=True, default="")
    participants = ParticipantSerializer(many=True, required=False, default=list)


class OnSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


class ConcludeSerializer(OnSerializer):
    minutes = serializers.CharField(allow_blank=True)
    conclusion = serializers.CharField(allow_blank=True)


class HearingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


@extend_schema(tags=["leaders"])
class HearingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = HearingSerializer
    filterset_fields = ["petition", "status"]

    def get_queryset(self) -> QuerySet[Hearing]:
        return selectors.hearings_visible_to(self.request.user).prefetch_related("participants")

    @extend_schema(request=HearingCreateSerializer, responses={201: HearingSerializer})
    def create(self, request: Request) -> Response:
        from reception.models import Room
        from reception.selectors import centers_visible_to

        d = _input(HearingCreateSerializer, request)
        petition = get_visible_or_404(request.user, pk=d["petition"])
        room = None
        if d["room"]:
            room = Room.objects.filter(pk=d["room"], center__in=centers_visible_to(request.user)).first()
            if room is None:
                from core.errors import DomainError

                raise DomainError("听证室不存在或不在您的工作范围内。", field="room")
        people = [services.ParticipantInput(role=p["role"], name=p["name"], unit=p.get("unit"), note=p.get("note", ""))
                  for p in d["participants"]]
        hearing = services.schedule_hearing(petition, actor=request.user, scheduled_at=d["scheduled_at"],
                                            issue=d["issue"], room=room, place=d["place"], participants=people)
        return Response(HearingSerializer(hearing).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="开始听证（暂停复核/复查期限）", request=OnSerializer, responses={200: HearingSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        d = _input(OnSerializer, request)
        return Response(HearingSerializer(services.start_hearing(self.get_object(), actor=request.user, **d)).data)

    @extend_schema(summary="结束听证（恢复期限）", request=ConcludeSerializer, responses={200: HearingSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request: Request, pk: str) -> Response:
        d = _input(ConcludeSerializer, request)
        return Response(HearingSerializer(services.conclude_hearing(self.get_object(), actor=request.user,
                                                                    **d)).data)

    @extend_schema(summary="取消听证", request=HearingCancelSerializer, responses={200: HearingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        d = _input(HearingCancelSerializer, request)
        return Response(HearingSerializer(services.cancel_hearing(self.get_object(), actor=request.user, **d)).data)


# Meetings and tasks ------------------------------------------------------------------------------------------

class TaskSerializer(serializers.ModelSerializer):
    petition = serializers.IntegerField(source="meeting.petition_id", read_only=True)

    class Meta:
        model = MeetingTask
        fields = ["id", "meeting", "petition", "title", "owner", "due_on", "state", "done_at", "done_note"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "petition", "unit", "held_at", "place", "chair", "invited_units", "proposed_plan", "minutes",
                  "state", "tasks"]
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer):
    petition = serializers.IntegerField()
    held_at = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True)
    proposed_plan = serializers.CharField(allow_blank=True)
    invited_units = serializers.ListField(child=UnitField(), allow_empty=True)
    chair = UserField(required=False, allow_null=True, default=None)


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    owner = UserField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True)
    tasks = TaskInputSerializer(many=True, required=False, default=list)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


@extend_schema(tags=["leaders"])
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer
    filterset_fields = ["petition", "state"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meetings_visible_to(self.request.user).prefetch_related("tasks", "invited_units")

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request) -> Response:
        d = _input(MeetingCreateSerializer, request)
        petition = get_visible_or_404(request.user, pk=d.pop("petition"))
        meeting = services.plan_meeting(petition, actor=request.user, **d)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="会议纪要与任务", request=MinutesSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str) -> Response:
        d = _input(MinutesSerializer, request)
        meeting = self.get_object()
        services.record_minutes(meeting, actor=request.user, minutes=d["minutes"],
                                tasks=[services.TaskInput(title=t["title"], owner=t["owner"], due_on=t["due_on"])
                                       for t in d["tasks"]])
        meeting.refresh_from_db()
        return Response(MeetingSerializer(meeting).data)


@extend_schema(tags=["leaders"])
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My meeting tasks (我的任务)."""

    serializer_class = TaskSerializer
    filterset_fields = ["state"]

    def get_queryset(self) -> QuerySet[MeetingTask]:
        if getattr(self, "swagger_fake_view", False):
            return MeetingTask.objects.none()
        return selectors.tasks_visible_to(self.request.user).filter(owner_id=self.request.user.pk).order_by("due_on",
                                                                                                            "id")

    @extend_schema(summary="报告完成", request=NoteSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        d = _input(NoteSerializer, request)
        return Response(TaskSerializer(services.complete_task(self.get_object(), actor=request.user,
                                                              note=d["note"])).data)
