"""`POST /api/petitions/{id}/{action}/` for every lifecycle action, with the same rules, errors and
input as the web pages: the request serializer of each action is derived from its form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import HasCapability, IsStaffMember
from handling import services
from handling.actions import ACTIONS, ActionContext, ActionSpec, available_actions, scope_unit_choices
from handling.forms import DispatchForm
from petitions.api import PetitionDetailSerializer
from petitions.models import Petition
from petitions.selectors import get_visible_or_404

_SERIALIZERS: dict[type, type[serializers.Serializer]] = {}


def serializer_for(form_class: type[forms.Form]) -> type[serializers.Serializer]:
    """A DRF serializer with the same fields as a Django form (for the schema and for clients).
    One class per form, so the schema has one component per input shape."""
    if form_class in _SERIALIZERS:
        return _SERIALIZERS[form_class]
    attrs: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        common: dict[str, Any] = {"required": field.required, "help_text": str(field.help_text or field.label or "")}
        if name == "version":
            attrs[name] = serializers.IntegerField(required=False, help_text="页面/接口读取时的事项版本号，用于并发控制")
        elif isinstance(field, forms.ModelChoiceField):
            attrs[name] = serializers.PrimaryKeyRelatedField(queryset=field.queryset, allow_null=not field.required,
                                                             **common)
        elif isinstance(field, forms.TypedChoiceField):
            attrs[name] = serializers.BooleanField(**common)
        elif isinstance(field, forms.ChoiceField):
            choices: list[Any] = list(field.choices)  # type: ignore[arg-type]  # a plain list on our forms
            attrs[name] = serializers.ChoiceField(choices=choices, **common)
        elif isinstance(field, forms.DateField):
            attrs[name] = serializers.DateField(allow_null=True, **common)
        elif isinstance(field, forms.IntegerField):
            bounds: dict[str, Any] = {k: v for k, v in (("min_value", field.min_value),
                                                         ("max_value", field.max_value)) if v is not None}
            attrs[name] = serializers.IntegerField(**bounds, **common)
        elif isinstance(field, forms.BooleanField):
            attrs[name] = serializers.BooleanField(required=False, help_text=common["help_text"])
        else:
            attrs[name] = serializers.CharField(allow_blank=not field.required, **common)
    _SERIALIZERS[form_class] = type(f"{form_class.__name__}Request", (serializers.Serializer,), attrs)
    return _SERIALIZERS[form_class]


def _form_data(spec: ActionSpec, data: Any) -> dict[str, Any]:
    """API JSON → form data (booleans to the form's encoding, ids as given)."""
    out: dict[str, Any] = {}
    for key, value in dict(data).items():
        field = spec.form.base_fields.get(key)
        if isinstance(field, forms.TypedChoiceField) and isinstance(value, bool):
            value = "1" if value else "0"
        if isinstance(field, forms.BooleanField) and value is False:
            continue
        out[key] = value
    return out


class LifecycleViewSet(viewsets.GenericViewSet):
    """Lifecycle actions on a matter. Each answers the updated matter, or
    `{"code", "detail", "fields"}` with 400/403/404/409 and nothing changed."""

    queryset = Petition.objects.none()
    serializer_class = PetitionDetailSerializer

    def _run(self, request: Request, pk: str, spec: ActionSpec) -> Response:
        petition = get_visible_or_404(request.user, pk=pk)
        form = spec.form(_form_data(spec, request.data))
        scope_unit_choices(form, request.user)
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        if form.cleaned_data.get("version"):
            petition.version = form.cleaned_data["version"]
        try:
            spec.run(petition, request.user, form.cleaned_data)
        except ValidationError as exc:
            raise serializers.ValidationError({"non_field_errors": exc.messages}) from None
        petition.refresh_from_db()
        return Response(PetitionDetailSerializer(petition, context={"request": request}).data)

    @extend_schema(summary="当前用户可执行的办理操作", responses={200: OpenApiResponse(description="操作名称列表")})
    @action(detail=True, methods=["get"], url_path="actions")
    def actions(self, request: Request, pk: str) -> Response:
        petition = get_visible_or_404(request.user, pk=pk)
        offered = available_actions(ActionContext.load(petition, request.user))
        return Response([{"name": a.name, "label": a.label} for a in offered])


def _make(spec: ActionSpec) -> Any:
    def handler(self: LifecycleViewSet, request: Request, pk: str) -> Response:
        return self._run(request, pk, spec)

    handler.__name__ = spec.name
    handler.__doc__ = f"{spec.label}。{spec.help}"
    decorated = action(detail=True, methods=["post"], url_path=spec.name, url_name=spec.name.replace("_", "-"))(
        handler)
    return extend_schema(summary=spec.label, request=serializer_for(spec.form),
                         responses={200: PetitionDetailSerializer})(decorated)


for _spec in ACTIONS:
    setattr(LifecycleViewSet, _spec.name, _make(_spec))


class BulkTransferInSerializer(serializers.Serializer):
    petitions = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500,
                                      help_text="事项 id 列表（至多500件）")
    to_unit = serializers.IntegerField(help_text="承办单位 id")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="转送意见")


class BulkTransferFailureSerializer(serializers.Serializer):
    petition = serializers.CharField(help_text="事项编号（看不到的事项为 id）")
    detail = serializers.CharField(help_text="未转送的原因")


class BulkTransferOutSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField(), help_text="已转送的事项编号")
    failed = BulkTransferFailureSerializer(many=True)


class BulkTransferViewSet(viewsets.GenericViewSet):
    """批量转送: several matters waiting for triage to one unit. Each matter is transferred in its own
    transaction; refusals come back with their reasons and leave the others done."""

    permission_classes = [IsStaffMember, HasCapability.of("triage")]
    serializer_class = BulkTransferInSerializer

    @extend_schema(summary="批量转送", request=BulkTransferInSerializer, responses={200: BulkTransferOutSerializer})
    def create(self, request: Request) -> Response:
        data = BulkTransferInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = DispatchForm({"to_unit": data.validated_data["to_unit"], "note": data.validated_data["note"]})
        scope_unit_choices(form, request.user)
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        result = services.bulk_transfer(data.validated_data["petitions"], actor=request.user,
                                        to_unit=form.cleaned_data["to_unit"], note=form.cleaned_data["note"])
        return Response({"done": [p.number for p in result.done],
                         "failed": [{"petition": number, "detail": reason} for number, reason in result.failed]})
