from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from petitions.choices import OPEN_STATUSES, Status
from petitions.models import Petition


@login_required
def home(request: HttpRequest) -> HttpResponse:
    visible = Petition.objects.visible_to(request.user)
    today = timezone.localdate()
    month_start = today.replace(day=1)
    by_status = {row["status"]: row["n"] for row in visible.values("status").annotate(n=Count("id")).order_by()}
    status_rows = [
        {"value": s.value, "label": s.label, "count": by_status.get(s.value, 0)}
        for s in Status
        if by_status.get(s.value)
    ]
    context = {
        "calendar_warning": calendar_warning(today),
        "total": sum(by_status.values()),
        "open_count": sum(by_status.get(s, 0) for s in OPEN_STATUSES),
        "month_count": visible.filter(received_at__date__gte=month_start).count(),
        "today_count": visible.filter(received_at__date=today).count(),
        "month_start": month_start,
        "today": today,
        "status_rows": status_rows,
        "recent": visible.select_related("receiving_unit", "category")[:10],
    }
    return render(request, "core/home.html", context)


def calendar_warning(today) -> str:  # noqa: ANN001
    """Tell staff when deadlines near the year end cannot be computed properly (条例 deadlines run
    on the working-day calendar, which the State Council publishes each November or December)."""
    from deadlines.models import HolidayYear

    years = {y.year: y for y in HolidayYear.objects.filter(year__in=[today.year, today.year + 1])}
    upcoming = years.get(today.year + 1)
    if upcoming is not None and upcoming.is_provisional:
        return (f"{upcoming.year}年节假日表为临时表（仅按周末计算）。国务院安排公布后，"
                "请管理员在“系统管理 → 节假日”中录入，跨年期限将据此重新计算。")
    if upcoming is None and today.month >= 11:
        return (f"{today.year + 1}年节假日安排尚未录入，届满日在{today.year + 1}年的期限暂无法计算。"
                "请管理员在国务院公布后及时录入。")
    return ""


def health(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
