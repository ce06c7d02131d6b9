from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications.selectors import get_own_or_404, inbox, unread_count
from notifications.services import mark_all_read, mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    qs = inbox(request.user).select_related("petition")
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "only_unread": only_unread, "unread": unread_count(request.user),
        "filters": {"unread": "1"} if only_unread else {},
    })


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notification's link (the list when it has none)."""
    notification = mark_read(get_own_or_404(request.user, pk), user=request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    mark_read(get_own_or_404(request.user, pk), user=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(request.user)
    messages.success(request, f"已将{count}条通知标记为已读。" if count else "没有未读通知。")
    return redirect("notifications:list")
