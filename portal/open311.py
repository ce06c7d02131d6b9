"""Open311 GeoReport v2 over our categories and matters (JSON only).

- `GET  /open311/v2/services.json`          level-1/2 categories as services
- `POST /open311/v2/requests.json`          create an online matter (form-encoded or JSON)
- `GET  /open311/v2/requests/{id}.json`     one matter by its number: open/closed and public fields

Decisions (see portal/README.md):
- `api_key` is **required for POST** (GeoReport v2 lets the jurisdiction decide): the web form has a
  CAPTCHA, so an anonymous API would be the way around it. Keys are issued in the admin
  (Open311 接入方), stored hashed. GETs need no key.
- Real-name rules are the portal's: `first_name`/`last_name` (or `attribute[name]`), `phone`,
  `address_string` and `attribute[id_number]` are required; `description` is the content.
  Optional: `attribute[title]`, `attribute[demands]`, `attribute[kind]` (suggestion/accusation/claim),
  `attribute[accused_name]`, `attribute[locality]` (division code). `lat`/`long`, `email`,
  `device_id`, `account_id` and `media_url` are accepted and not stored (no remote fetches).
- An `Idempotency-Key` header makes a retried POST return the first matter.
- `GET requests/{id}.json` answers only for matters submitted online that are not accusations
  (numbers are sequential; anything else answers 404, like an unknown number). Only the status,
  its label, the service, the responsible agency and dates are returned: never names, addresses,
  phone numbers or the text.
- Errors follow GeoReport v2: a list `[{"code": <HTTP status>, "description": "<中文说明>"}]`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.middleware import client_ip
from core.api import exception_handler as api_exception_handler
from core.errors import DomainError
from deadlines.choices import ClockKind
from deadlines.models import Clock
from petitions import localities as locality_lookup
from petitions.choices import OPEN_STATUSES, Channel, Kind
from petitions.models import Category, Petition
from portal import services

OPEN311_TAGS = ["open311"]


def open311_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The API's error (code, detail, fields) reshaped to GeoReport v2: [{"code", "description"}]."""
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    body = response.data if isinstance(response.data, dict) else {}
    fields = body.get("fields") or {}
    if fields:
        description = "；".join(f"{name}：{'；'.join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))}"
                                for name, msgs in fields.items())
    else:
        description = str(body.get("detail", "请求失败。"))
    response.data = [{"code": response.status_code, "description": description}]
    return response


class Open311View(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):  # noqa: ANN201
        return open311_exception_handler


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.CharField()
    keywords = serializers.CharField()
    group = serializers.CharField()


def _service(category: Category, roots: dict[int, str]) -> dict[str, Any]:
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": category.full_name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": roots.get(category.parent_id or 0, category.name),
    }


class ServiceList(Open311View):
    @extend_schema(tags=OPEN311_TAGS, summary="服务列表（一、二级内容分类）", responses={200: ServiceSerializer(many=True)},
                   parameters=[OpenApiParameter("jurisdiction_id", OpenApiTypes.STR, required=False)])
    def get(self, request: Request) -> Response:
        categories = list(services.service_categories())
        roots = {c.pk: c.name for c in categories if c.level == 1}
        return Response([_service(c, roots) for c in categories])


class RequestInSerializer(serializers.Serializer):
    """GeoReport v2 POST fields; service-specific ones as attribute[...]."""

    api_key = serializers.CharField(required=False, allow_blank=True, default="")
    service_code = serializers.CharField(max_length=20)
    description = serializers.CharField(max_length=5000)
    first_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    last_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    address_string = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    long = serializers.FloatField(required=False, allow_null=True, default=None)
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    device_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    account_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    media_url = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    class Meta:
        ref_name = "Open311RequestIn"


ATTRIBUTES = ("name", "id_number", "title", "demands", "kind", "accused_name", "locality")


def _attributes(data: Any) -> dict[str, str]:
    out = {}
    for name in ATTRIBUTES:
        value = data.get(f"attribute[{name}]")
        if value is None and isinstance(data.get("attribute"), dict):
            value = data["attribute"].get(name)
        out[name] = value if isinstance(value, str) else ""
    return out


class RequestCreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)


class RequestOutSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField()
    service_name = serializers.CharField(allow_null=True)
    service_code = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    agency_responsible = serializers.CharField(allow_null=True)
    service_notice = serializers.CharField(allow_null=True)
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField()
    expected_datetime = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.CharField(allow_null=True)


ERRORS = inline_serializer("Open311Error", fields={"code": serializers.IntegerField(),
                                                   "description": serializers.CharField()}, many=True)


class RequestCreate(Open311View):
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(tags=OPEN311_TAGS, summary="提交服务请求（登记网上信访事项）", request=RequestInSerializer,
                   responses={201: RequestCreatedSerializer(many=True), 400: ERRORS, 403: ERRORS, 429: ERRORS},
                   parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)])
    def post(self, request: Request) -> Response:
        raw = request.data
        serializer = RequestInSerializer(data=raw)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        client = services.find_client(d["api_key"])
        if client is None:
            raise PermissionDenied("api_key 缺失或无效：提交服务请求须使用本机关签发的接入密钥。")
        attrs = _attributes(raw)
        category = services.service_categories().filter(pk=int(d["service_code"])).first() \
            if d["service_code"].isdigit() and len(d["service_code"]) <= 18 else None
        if category is None:
            raise DomainError(f"service_code“{d['service_code']}”不是有效的服务代码，请先查询 services.json。",
                              field="service_code")
        if not d["address_string"].strip():
            raise DomainError("请提供 address_string（信访人住址）；本机关不根据经纬度确定地址。", field="address_string")
        locality = None
        if attrs["locality"]:
            locality = locality_lookup.by_division_code(attrs["locality"])
            if locality is None:
                raise DomainError(f"attribute[locality]“{attrs['locality']}”不是有效的行政区划代码。",
                                  field="attribute[locality]")
        else:
            locality = locality_lookup.match_address(d["address_string"])
            if locality is not None and not services.localities().filter(pk=locality.pk).exists():
                locality = None
        name = attrs["name"] or f"{d['last_name'].strip()}{d['first_name'].strip()}"
        description = d["description"].strip()
        data = services.SubmissionInput(
            name=name, id_number=attrs["id_number"], phone=d["phone"], address=d["address_string"],
            title=attrs["title"] or description[:30], content=description, demands=attrs["demands"],
            kind=attrs["kind"] or Kind.CLAIM, locality=locality, category=category,
            accused_name=attrs["accused_name"],
        )
        key = (request.headers.get("Idempotency-Key") or "").strip()
        token = f"o311:{client.pk}:{key}"[:64] if key else services.new_token()
        result = services.submit(data, token=token, ip=client_ip(request), via="open311", client=client)
        body = [{
            "service_request_id": result.petition.number,
            "service_notice": "已登记。事项编号和查询码已以短信发送给信访人，凭其可在网上查询办理进展并评价。",
            "account_id": None,
        }]
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


def public_request(petition: Petition) -> dict[str, Any]:
    from handling.services import holder

    is_open = petition.status in OPEN_STATUSES
    handling = (Clock.objects.filter(petition=petition, kind=ClockKind.HANDLING, state__in=["running", "paused"])
                .values_list("due_on", flat=True).first())
    last = petition.events.order_by("-at", "-id").values_list("at", flat=True).first() or petition.registered_at
    expected = None
    if handling is not None:
        expected = timezone.make_aware(datetime.datetime.combine(handling, datetime.time(23, 59, 59)))
    return {
        "service_request_id": petition.number,
        "status": "open" if is_open else "closed",
        "status_notes": petition.get_status_display(),
        "service_name": petition.category.name if petition.category else None,
        "service_code": str(petition.category_id) if petition.category_id else None,
        "description": None,
        "agency_responsible": holder(petition).name if is_open else None,
        "service_notice": None,
        "requested_datetime": petition.received_at,
        "updated_datetime": last,
        "expected_datetime": expected,
        "address": None, "address_id": None, "zipcode": None, "lat": None, "long": None, "media_url": None,
    }


class RequestDetail(Open311View):
    @extend_schema(tags=OPEN311_TAGS, summary="查询服务请求（按事项编号）",
                   responses={200: RequestOutSerializer(many=True), 404: ERRORS})
    def get(self, request: Request, number: str) -> Response:
        petition = (Petition.objects.filter(number=services.normalise_number(number), channel=Channel.ONLINE)
                    .exclude(kind=Kind.ACCUSATION).select_related("category", "receiving_unit", "handling_unit")
                    .first())
        if petition is None:
            raise NotFound()
        return Response(RequestOutSerializer([public_request(petition)], many=True).data)
