"""API base: permission, pagination and one error body shape for every endpoint.

Errors look like {"code": "machine_readable", "detail": "中文说明", "fields": {...}}; "fields" is
present when the error is about particular input fields (validation errors, and domain errors
that name a field). Status codes: 400 invalid input or a rule refused it, 401 no/invalid token,
403 the role may not do this, 404 not found or not visible, 405, 406, 409 conflict (someone
changed the matter first, already done), 415, 429 throttled, 500 server error (never a stack trace).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, ValidationError
from django.db import DataError
from django.http import Http404
from django.urls import NoReverseMatch
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

logger = logging.getLogger("xinfang.api")


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "页码无效：超出范围或不是正整数。"


_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}
_MESSAGES = {
    "not_authenticated": "未登录或令牌无效。",
    "authentication_failed": "未登录或令牌无效。",
    "permission_denied": "当前账号无权进行此操作。",
    "not_found": "对象不存在或无权查看。",
    "method_not_allowed": "不支持该请求方法。",
    "not_acceptable": "无法按请求的格式返回。",
    "unsupported_media_type": "不支持的请求内容类型，请使用 JSON。",
    "throttled": "请求过于频繁，请稍后再试。",
    "parse_error": "请求内容格式错误，无法解析。",
    "invalid": "提交的数据有误。",
    "server_error": "服务器内部错误，请稍后再试；如持续出现请联系管理员。",
}


def _custom_detail(exc: exceptions.APIException) -> str | None:
    """A Chinese message a view or permission class gave on purpose (not DRF's default text)."""
    if not isinstance(exc, (exceptions.PermissionDenied, exceptions.NotFound)):
        return None
    detail = exc.detail
    if isinstance(detail, str) and str(detail) != str(exc.default_detail) and any(
        "\u4e00" <= ch <= "\u9fff" for ch in detail
    ):
        return str(detail)
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["fields"] = {exc.field: [exc.message]}
        return Response(body, status=exc.status)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return Response({"code": "too_large", "detail": "请求内容过大。"}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    elif isinstance(exc, SuspiciousOperation):
        return Response({"code": "invalid", "detail": "请求内容不合规范，已拒绝。"}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, (DataError, OverflowError)):
        # A number or text too large for the database column (ids, page numbers, filters): bad input.
        exc = exceptions.ValidationError(detail={"non_field_errors": ["请求中的数值或文字超出允许范围。"]})
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API error: log it with its traceback, answer with the same body shape, no trace.
        logger.error("Unhandled API error in %s", _view_name(context), exc_info=exc)
        return Response({"code": "server_error", "detail": _MESSAGES["server_error"]},
                        status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    code = _CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.APIException):
        detail_codes = exc.get_codes()
        if isinstance(detail_codes, str):
            code = detail_codes if detail_codes in _MESSAGES else code
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"code": "invalid", "detail": _MESSAGES["invalid"], "fields": fields}
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        custom = _custom_detail(exc) if isinstance(exc, exceptions.APIException) else None
        message = custom or _MESSAGES.get(code) or str(detail or "请求失败。")
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait:
            message = f"请求过于频繁，请{int(wait) + 1}秒后再试。"
        response.data = {"code": code, "detail": message}
    return response


def _view_name(context: dict[str, Any]) -> str:
    view = context.get("view")
    return type(view).__name__ if view is not None else "?"


class Router(DefaultRouter):
    """DefaultRouter whose root (`GET /api/`) lists every registered prefix.

    DRF's root lists only prefixes with a list route, and a prefix registered twice (petitions and
    their lifecycle actions) keeps the last registration's name, so it vanished from the root.
    Here each prefix shows its list URL, else its first collection-level GET action, else its
    detail URL template.
    """

    def get_api_root_view(self, api_urls: Any = None) -> Any:
        registry = list(self.registry)
        get_routes = self.get_routes

        class APIRoot(APIView):
            """xinfang API. Every endpoint is scoped like the pages; see /api/docs/ for the OpenAPI documentation."""

            _ignore_model_permissions = True
            schema = None

            def get(self, request: Any, *args: Any, **kwargs: Any) -> Response:
                out: dict[str, str] = {}
                for prefix, viewset, basename in registry:
                    if prefix in out:
                        continue
                    link = None
                    candidates = sorted(get_routes(viewset), key=lambda r: (r.detail, r.name != "{basename}-list"))
                    for route in candidates:
                        if "get" not in route.mapping:
                            continue
                        name = route.name.format(basename=basename)
                        try:
                            link = reverse(name, request=request) if not route.detail else None
                        except NoReverseMatch:
                            link = None
                        if link:
                            break
                    out[prefix] = link or request.build_absolute_uri(f"{prefix}/") + "{id}/"
                return Response(out)

        return APIRoot.as_view()
