"""The petitions API: register (with repeat check and Idempotency-Key), search, read; pickers' data.

- POST /api/petitions/                 register one contact (new matter, or `attach_to` an open one)
- POST /api/petitions/check/           the repeat check alone, nothing saved
- GET  /api/petitions/?search=…        search and filters, scoped like the pages
- GET  /api/petitions/{id}/            one matter
- GET  /api/petitions/staff-lookup/?unit=…   users of a unit (to link an accused staff member)
- GET  /api/petitioners/{id}/          a person (masked; ?full=1 is audited)
- GET  /api/categories/, /api/categories/tree/   the content taxonomy for the picker
- GET  /api/localities/match/?address=…          the locality named in an address
- GET  /api/attachments/?petition=…    a matter's attachments; POST (multipart) uploads; GET …/{id}/download/
- GET/POST /api/imports/               ledger imports (dry run first); POST /api/imports/{id}/run/ imports for real
"""

from __future__ import annotations

import functools
import re
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.services import record_personal_view
from core.api import Pagination
from core.errors import DomainError
from core.permissions import HasCapability, IsStaffMember
from orgs.choices import UnitKind
from orgs.models import Unit
from petitions import localities, services
from petitions.attachments import ALLOWED_LABEL
from petitions.choices import OPEN_STATUSES, Channel, ImportState, Kind, PartyRole, VisitLevel
from petitions.models import Attachment, Category, Contact, ImportJob, Petition, Petitioner
from petitions.paginators import CappedPaginator, SearchPaginator
from petitions.repeats import RepeatCheck, check_repeats
from petitions.selectors import filter_petitions, get_visible_or_404, staff_of_unit_or_404


class PetitionSerializer(serializers.ModelSerializer):
    receiving_unit_name = serializers.CharField(source="receiving_unit.name", read_only=True)
    handling_unit_name = serializers.CharField(source="handling_unit.name", default=None, read_only=True)
    category_name = serializers.CharField(source="category.full_name", default=None, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Petition
        fields = ["id", "number", "title", "kind", "channel", "status", "status_label", "version", "category",
                  "category_name", "locality", "receiving_unit", "receiving_unit_name", "handling_unit",
                  "handling_unit_name", "received_at", "registered_at", "is_collective", "headcount",
                  "contact_count"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "channel", "received_at", "receiving_unit", "headcount", "is_collective", "is_repeat",
                  "visit_level"]


class PetitionDetailSerializer(PetitionSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(PetitionSerializer.Meta):
        fields = [*PetitionSerializer.Meta.fields, "content", "demands", "query_code", "joint_letter", "anonymous",
                  "finalised_match", "contacts"]
        read_only_fields = fields


class PetitionerSerializer(serializers.ModelSerializer):
    """Masked by default; `?full=1` returns the full record and is audited."""

    name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    matters = serializers.SerializerMethodField()

    class Meta:
        model = Petitioner
        fields = ["id", "name", "is_organisation", "gender", "id_number", "id_verified", "unverified_reason",
                  "phone", "address", "matters"]

    def _full(self) -> bool:
        return bool(self.context.get("full"))

    def get_name(self, obj: Petitioner) -> str:
        return obj.name if self._full() else obj.masked_name

    def get_id_number(self, obj: Petitioner) -> str:
        return obj.id_number if self._full() else obj.masked_id_number

    def get_phone(self, obj: Petitioner) -> str:
        return obj.phone if self._full() else obj.masked_phone

    def get_matters(self, obj: Petitioner) -> list[dict[str, Any]]:
        """The person's matters the requesting user may see."""
        user = self.context["request"].user
        rows = (Petition.objects.visible_to(user).filter(contacts__people__petitioner=obj).distinct()
                .order_by("-received_at").values("id", "number", "title", "status", "received_at")[:200])
        return [dict(r) for r in rows]


# Registration input ------------------------------------------------------------------------------

class PersonInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.PETITIONER)
    unverified_reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    is_organisation = serializers.BooleanField(default=False)


class AccusedInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    position = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True,
                                              default=None)
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.select_related("unit"),
                                              required=False, allow_null=True, default=None)

    def validate_user(self, user: Any) -> Any:
        """Only staff of a unit inside the caller's own area can be linked (as the staff lookup offers);
        anyone else is named in `name`/`unit` instead."""
        if user is None:
            return None
        request = self.context.get("request")
        caller_unit = getattr(getattr(request, "user", None), "unit", None)
        if caller_unit is None or user.unit is None or not user.unit.is_within(caller_unit.scope_root):
            raise serializers.ValidationError("只能关联本辖区单位的工作人员；其他人员请填写姓名、职务和单位。")
        return user


class RegistrationSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField()
    demands = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.CLAIM)
    headcount = serializers.IntegerField(min_value=1, default=1)
    locality = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(kind=UnitKind.GOVERNMENT),
                                                  required=False, allow_null=True, default=None)
    locality_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True,
                                                  default=None)
    people = PersonInSerializer(many=True, required=False, default=list)
    accused = AccusedInSerializer(many=True, required=False, default=list)
    joint_letter = serializers.BooleanField(default=False)
    anonymous = serializers.BooleanField(default=False)
    raised_before = serializers.BooleanField(default=False)
    raised_before_where = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    visit_level = serializers.ChoiceField(choices=VisitLevel.choices, required=False, allow_blank=True, default="")
    attach_to = serializers.IntegerField(required=False, allow_null=True, default=None,
                                         help_text="并入的在办事项 id（重复件）；不填为新事项")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        code = attrs.get("locality_code", "").strip()
        if code and attrs.get("locality") is None:
            unit = localities.by_division_code(code)
            if unit is None:
                raise serializers.ValidationError({"locality_code": f"行政区划代码“{code}”不在单位树中。"})
            attrs["locality"] = unit
        return attrs

    def to_input(self, receiving_unit: Unit) -> services.RegistrationInput:
        d = self.validated_data
        people = [services.PersonInput(**p) for p in d["people"]]
        locality = d["locality"]
        if locality is None:
            for person in people:
                if person.address and (locality := localities.match_address(person.address)) is not None:
                    break
        return services.RegistrationInput(
            channel=d["channel"], receiving_unit=receiving_unit, title=d["title"], content=d["content"],
            received_at=d["received_at"], kind=d["kind"], demands=d["demands"], headcount=d["headcount"],
            locality=locality, category=d["category"], people=people,
            accused=[services.AccusedInput(**a) for a in d["accused"]], joint_letter=d["joint_letter"],
            anonymous=d["anonymous"], raised_before=d["raised_before"],
            raised_before_where=d["raised_before_where"], visit_level=d["visit_level"],
        )


def _brief(petition: Petition, score: float | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": petition.pk, "number": petition.number, "title": petition.title,
                           "status": petition.status, "status_label": petition.get_status_display(),
                           "received_at": petition.received_at.isoformat(),
                           "can_attach": petition.status in OPEN_STATUSES}
    if score is not None:
        row["score"] = score
    return row


def repeat_check_data(check: RepeatCheck) -> dict[str, Any]:
    from petitions.similarity import SAME_FACTS_MIN

    return {
        "same_person": [_brief(p) for p in check.same_person],
        "similar": [_brief(p, s) for p, s in check.similar],
        "finalised": [{**_brief(p, s), "same_facts": s >= SAME_FACTS_MIN} for p, s in check.finalised],
    }


class PetitionPagination(Pagination):
    django_paginator_class: Any = CappedPaginator

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        # A search scans its matches once (see SearchPaginator); plain lists count with a cap.
        matches = getattr(view, "search_matches", None)
        if matches is not None:
            self.django_paginator_class = functools.partial(SearchPaginator, matches=matches,
                                                            fetch=view.get_queryset())  # type: ignore[union-attr]
        else:
            self.django_paginator_class = CappedPaginator
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        paginator: Any = self.page.paginator  # type: ignore[union-attr]
        response.data["count_capped"] = paginator.capped
        if paginator.capped:
            response.data["count"] = paginator.COUNT_CAP  # "at least this many"
        return response


SEARCH_PARAMETERS = [
    OpenApiParameter("search", OpenApiTypes.STR, description="关键词（标题、内容、信访人姓名；中文两字以上按词组匹配）"),
    OpenApiParameter("received_from", OpenApiTypes.DATE, description="来信来访日期起"),
    OpenApiParameter("received_to", OpenApiTypes.DATE, description="来信来访日期止（含）"),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
    OpenApiParameter("status", OpenApiTypes.STR),
    OpenApiParameter("category", OpenApiTypes.INT, description="分类 id（含下级分类）"),
    OpenApiParameter("locality", OpenApiTypes.INT, description="属地单位 id（含下级区域）"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="经手单位 id（登记、转送、交办、承办，含下级）"),
    OpenApiParameter("receiving_unit", OpenApiTypes.INT),
    OpenApiParameter("handling_unit", OpenApiTypes.INT),
]


class PetitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pagination_class = PetitionPagination
    filter_backends: list = []

    def get_permissions(self):  # noqa: ANN201
        if self.action in ("create", "check", "staff_lookup"):
            return [IsStaffMember(), HasCapability.of("register")()]
        return [IsStaffMember(), HasCapability.of("view_petitions")()]

    def get_queryset(self):  # noqa: ANN201
        return Petition.objects.visible_to(self.request.user).select_related(
            "receiving_unit", "handling_unit", "category"
        )

    def filter_queryset(self, queryset):  # noqa: ANN001, ANN201
        if self.action == "list":
            params = self.request.query_params
            user = self.request.user
            queryset, applied = filter_petitions(queryset, params, ordered_page=True, user=user)
            self.search_matches = None
            if "q" in applied:
                self.search_matches, _ = filter_petitions(Petition.objects.visible_to(user), params, user=user)
        return queryset

    def get_serializer_class(self):  # noqa: ANN201
        if self.action in ("create", "check"):
            return RegistrationSerializer
        return PetitionDetailSerializer if self.action == "retrieve" else PetitionSerializer

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _prepare(self, request: Request) -> tuple[services.RegistrationInput, Petition | None, RepeatCheck]:
        serializer = RegistrationSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = request.user
        data = serializer.to_input(user.unit)  # type: ignore[union-attr, arg-type]
        attach_to = None
        attach_id = serializer.validated_data.get("attach_to")
        if attach_id:
            attach_to = Petition.objects.visible_to(user).filter(pk=attach_id).first()
            if attach_to is None:
                raise DomainError("要并入的事项不存在或无权查看。", field="attach_to")
        check = check_repeats(user, title=data.title, content=data.content, people=data.people,
                              locality=data.locality)
        return data, attach_to, check

    @extend_schema(request=RegistrationSerializer, responses={201: PetitionDetailSerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                                description="同一用户同一键只登记一次；重试返回第一次的结果")])
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data, attach_to, check = self._prepare(request)
        check_data = repeat_check_data(check)

        def render(contact: Contact) -> dict[str, Any]:
            body = dict(PetitionDetailSerializer(contact.petition).data)
            body["contact"] = contact.pk
            body["repeat_check"] = check_data
            return body

        key = (request.headers.get("Idempotency-Key") or "").strip()
        if key:
            result = services.register_once(data, actor=request.user, key=f"api:{key}",
                                            request_fingerprint=services.fingerprint(request.data),
                                            attach_to=attach_to, repeat_check=check, render=render)
            headers = {} if result.created else {"Idempotent-Replayed": "true"}
            return Response(result.response, status=status.HTTP_201_CREATED, headers=headers)
        contact = services.register_contact(data, actor=request.user, attach_to=attach_to, repeat_check=check)
        return Response(render(contact), status=status.HTTP_201_CREATED)

    @extend_schema(request=RegistrationSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def check(self, request: Request) -> Response:
        """The repeat check for a registration, without saving anything."""
        _data, _attach_to, check = self._prepare(request)
        return Response(repeat_check_data(check))

    @extend_schema(parameters=[OpenApiParameter("unit", OpenApiTypes.INT, required=True)],
                   responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="staff-lookup")
    def staff_lookup(self, request: Request) -> Response:
        """Active users of one unit within the caller's scope, to link an accused staff member."""
        try:
            unit_id = int(request.query_params.get("unit", ""))
        except ValueError:
            raise DomainError("请指定单位（unit）。", field="unit") from None
        return Response(staff_of_unit_or_404(request.user, unit_id))


class PetitionerViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PetitionerSerializer

    def get_queryset(self):  # noqa: ANN201
        return Petitioner.objects.visible_to(self.request.user)

    def get_serializer_context(self):  # noqa: ANN201
        context = super().get_serializer_context()
        context["full"] = self.request.query_params.get("full") == "1" and self.request.user.can("view_personal")
        return context

    def retrieve(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        response = super().retrieve(request, *args, **kwargs)
        if self.get_serializer_context()["full"]:
            record_personal_view(request.user, self.get_object(), summary="API 查看信访人完整信息")
        return response


# Pickers -------------------------------------------------------------------------------------------

class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent", "level", "full_name", "sort_order", "is_active"]


def category_tree(include_inactive: bool = False) -> list[dict[str, Any]]:
    qs = Category.objects.order_by("level", "sort_order", "name")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for c in qs.values("id", "name", "parent_id", "full_name"):
        node = {"id": c["id"], "name": c["name"], "full_name": c["full_name"], "children": []}
        nodes[c["id"]] = node
        if c["parent_id"] is None:
            roots.append(node)
        elif c["parent_id"] in nodes:
            nodes[c["parent_id"]]["children"].append(node)
    return roots


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The 3-level content taxonomy. Admins edit it in the admin site; staff read it for the picker."""

    serializer_class = CategorySerializer
    queryset = Category.objects.order_by("full_name")
    filterset_fields = ["parent", "level", "is_active"]
    pagination_class = None

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def tree(self, request: Request) -> Response:
        return Response(category_tree())


class LocalityViewSet(viewsets.ViewSet):
    """Localities (government areas) for the division-code picker."""

    @staticmethod
    def _unit(unit: Unit | None) -> dict[str, Any] | None:
        if unit is None:
            return None
        return {"id": unit.pk, "name": unit.name, "division_code": unit.division_code, "level": unit.level,
                "chain": [{"id": u.pk, "name": u.name, "division_code": u.division_code}
                          for u in localities.chain(unit)]}

    @extend_schema(parameters=[OpenApiParameter("address", OpenApiTypes.STR, required=True)],
                   responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def match(self, request: Request) -> Response:
        """The locality named in an address (town, village or county names matched against the org tree)."""
        return Response({"match": self._unit(localities.match_address(request.query_params.get("address", "")))})

    @extend_schema(parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=True)],
                   responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def chain(self, request: Request) -> Response:
        """The locality with a division code and its chain of areas (to restore the cascading picker)."""
        return Response({"match": self._unit(localities.by_division_code(request.query_params.get("code", "")))})


# Attachments ---------------------------------------------------------------------------------------

ATTACH_CAPABILITIES = ("register", "triage", "handle")


class AttachmentFilter(django_filters.FilterSet):
    petition = django_filters.NumberFilter(field_name="contact__petition", help_text="事项 id")
    contact = django_filters.NumberFilter(field_name="contact", help_text="件次 id")

    class Meta:
        model = Attachment
        fields: list[str] = []


class AttachmentSerializer(serializers.ModelSerializer):
    petition = serializers.IntegerField(source="contact.petition_id", read_only=True)
    uploaded_by_name = serializers.CharField(source="uploaded_by.display_name", default=None, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "petition", "contact", "original_name", "size", "content_type", "sha256", "uploaded_by",
                  "uploaded_by_name", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: Attachment) -> str:
        path = reverse("attachment-download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AttachmentUploadSerializer(serializers.Serializer):
    """multipart/form-data: `petition`, one or more `files`, optionally the `contact` (件次) to attach to."""

    petition = serializers.IntegerField(help_text="事项 id")
    files = serializers.ListField(child=serializers.FileField(), help_text=f"附件（可多个）：{ALLOWED_LABEL}")
    contact = serializers.IntegerField(required=False, help_text="件次 id；不填为该事项最近一次件次")


class FileResponseMixin:
    """Download actions answer a file whatever the Accept header says; their errors are JSON."""

    file_actions: tuple[str, ...] = ()

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(  # type: ignore[misc]
            request, force=force or getattr(self, "action", None) in self.file_actions)


def _int_or_400(value: Any, field: str, label: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(f"请填写{label}（整数 id）。", field=field) from None
    if not 0 < number < 2**63:
        raise DomainError(f"{label}无效。", field=field)
    return number


@extend_schema_view(list=extend_schema(summary="附件列表（?petition=事项 id）"),
                    retrieve=extend_schema(summary="附件信息"))
class AttachmentViewSet(FileResponseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Attachments of the matters the user may see (`?petition=ID` for one matter's); upload to a matter;
    download. Files are checked by extension, signature and size exactly as at registration."""

    serializer_class = AttachmentSerializer
    file_actions = ("download",)

    filterset_class = AttachmentFilter

    def get_queryset(self):  # noqa: ANN201
        visible = Petition.objects.visible_to(self.request.user).filter(pk=OuterRef("contact__petition_id"))
        return (Attachment.objects.filter(Exists(visible)).select_related("contact", "uploaded_by")
                .order_by("-uploaded_at", "-id"))

    def get_permissions(self):  # noqa: ANN201
        return [IsStaffMember(), HasCapability.of("view_petitions")()]

    @extend_schema(summary="上传附件到事项", request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer(many=True)})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload files to a matter. 403 if the role may not add files, 404 if the matter is not visible,
        400 with the file named if one is refused (none is saved then)."""
        petition_id = _int_or_400(request.data.get("petition"), "petition", "事项")
        petition = get_visible_or_404(request.user, pk=petition_id)
        if not any(request.user.can(c) for c in ATTACH_CAPABILITIES):  # type: ignore[union-attr]
            raise exceptions.PermissionDenied("当前角色无权上传附件。")
        contact = None
        if request.data.get("contact") not in (None, ""):
            contact_id = _int_or_400(request.data.get("contact"), "contact", "件次")
            contact = petition.contacts.filter(pk=contact_id).first()
            if contact is None:
                raise DomainError("该件次不属于此事项。", field="contact")
        uploads = request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []
        if not uploads:
            raise DomainError("请选择要上传的附件（multipart/form-data，字段名 files）。", field="files")
        stored = services.add_attachments(
            petition, [services.AttachmentInput(name=f.name or "", file=f, size=f.size) for f in uploads],
            actor=request.user, contact=contact)
        return Response(AttachmentSerializer(stored, many=True, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="下载附件", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> Any:
        """The file itself, scoped like the matter page (the page's download view answers)."""
        from petitions.views import attachment_download

        return attachment_download(request._request, pk=_int_or_400(pk, "id", "附件"))


# Ledger import -------------------------------------------------------------------------------------

ROW_ERROR = re.compile(r"^第(\d+)行：(.*)$", re.S)


class ImportJobSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    summary = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]  # DRF moves declared fields off the class
    row_errors = serializers.SerializerMethodField(help_text="逐行错误：line 为文件中的行号")
    warnings = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "original_name", "dry_run", "state", "state_label", "created_at", "finished_at", "total",
                  "processed", "summary", "errors", "row_errors", "warnings", "counts", "progress"]
        read_only_fields = fields

    def get_summary(self, obj: ImportJob) -> str:
        return str(obj.result.get("summary", ""))

    def get_errors(self, obj: ImportJob) -> list[str]:
        return [str(e) for e in obj.result.get("errors", [])]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_row_errors(self, obj: ImportJob) -> list[dict[str, Any]]:
        rows = []
        for error in self.get_errors(obj):
            match = ROW_ERROR.match(error)
            if match:
                rows.append({"line": int(match.group(1)), "message": match.group(2)})
        return rows

    def get_warnings(self, obj: ImportJob) -> list[str]:
        return [str(w) for w in obj.result.get("warnings", [])]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_counts(self, obj: ImportJob) -> dict[str, Any]:
        keys = ("rows", "created_matters", "created_contacts", "repeat_contacts", "created_petitioners",
                "created_categories", "skipped", "number_ranges")
        return {k: obj.result[k] for k in keys if k in obj.result}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_progress(self, obj: ImportJob) -> dict[str, Any]:
        from petitions import tasks

        return tasks.read_progress(obj)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV（UTF-8 或 GBK）或 XLSX；第一行为表头")
    dry_run = serializers.BooleanField(default=True, help_text="只检查，不导入（默认是）")


@extend_schema_view(list=extend_schema(summary="台账导入任务列表"), retrieve=extend_schema(summary="导入任务（结果与逐行错误）"))
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ledger imports, as on the import page: upload a file (a dry run by default) → the job runs in the
    background → read it back for the summary and the row errors → `run` a dry run that passed to import
    for real (all-or-nothing). Users with the import capability see their own jobs; admins see all."""

    serializer_class = ImportJobSerializer
    filter_backends: list = []

    def get_permissions(self):  # noqa: ANN201
        return [IsStaffMember(), HasCapability.of("import")()]

    def get_queryset(self):  # noqa: ANN201
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ImportJob.objects.none()
        return ImportJob.objects.all() if user.can("admin") else ImportJob.objects.filter(created_by=user)

    @extend_schema(summary="上传台账（默认只检查）", request={"multipart/form-data": ImportUploadSerializer},
                   responses={202: ImportJobSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from petitions import tasks
        from petitions.forms import ImportForm

        files = request.FILES if hasattr(request.FILES, "getlist") else {}
        form = ImportForm({"dry_run": str(request.data.get("dry_run", "true")).lower()}, files)
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        upload = form.cleaned_data["file"]
        job = tasks.start_import(request.user, upload.name, upload, dry_run=form.cleaned_data["dry_run"])
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="正式导入检查通过的台账", request=None, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str) -> Response:
        """Import for real the file of a dry run that passed."""
        from petitions import tasks

        checked = self.get_object()
        if not checked.dry_run or checked.state != ImportState.DONE or checked.result.get("errors"):
            raise DomainError("只有检查通过的文件才能导入。", code="not_checked")
        job = tasks.start_import(request.user, checked.original_name, None, dry_run=False, same_file_as=checked)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
