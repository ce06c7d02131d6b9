"""Statistics pages: dashboard, drill-down lists, periodic and annual reports with their exports, and
the periodicals. Figures are for the user's scope or a unit below it (any other unit: 404); lists
of matters start from `Petition.objects.visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST

from accounts.models import User
from audit.models import Action
from audit.services import record
from core.auth import staff
from core.errors import DomainError
from petitions.models import Petition
from stats import exports, reports, services
from stats import metrics as m
from stats import periods as p
from stats import selectors as sel
from stats.forms import BulletinCreateForm, BulletinEditForm, last_complete_month, period_from, period_number
from stats.models import Bulletin, BulletinKind
from stats.periods import Period
from stats.scope import Scope, scope_for, user_root
from stats.sentences import volume_sentence

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _user(request: HttpRequest, capability: str = "view_stats") -> User:
    user = staff(request)
    if user.unit is None or not user.can(capability):
        raise PermissionDenied
    return user


def _picker(request: HttpRequest, user: User, scope: Scope, period: Period, error: str) -> dict[str, Any]:
    """Context for the scope and period picker shared by the pages."""
    if error:
        messages.warning(request, error)
    root = user_root(user)
    units = list(sel.pickable_units(root))
    if scope.unit not in units:
        units.append(scope.unit)
    return {
        "scope": scope, "period": period, "root": root,
        "units": [(u, "　" * max(u.depth - root.depth, 0) + u.name) for u in units],
        "period_kinds": [(p.MONTH, "月"), (p.QUARTER, "季度"), (p.HALF, "半年"), (p.YEAR, "年")],
        "period_number": period_number(period), "numbers": range(1, 13),
        "query": urlencode({"unit": str(scope.unit.pk), **period.query()}),
    }


def _scope_and_period(request: HttpRequest, user: User, default: Period) -> tuple[Scope, Period, str]:
    scope = scope_for(user, request.GET.get("unit"))
    choice = period_from(request.GET, default=default)
    return scope, choice.period, choice.error


# Dashboard -------------------------------------------------------------------------------------------

@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """First paint: the sentence and the volume figures with 同比 and 环比. The rates, charts, work on
    hand and rankings (the heavier reads) follow as parts the page loads right away (htmx)."""
    user = _user(request)
    today = timezone.localdate()
    scope, period, error = _scope_and_period(request, user, Period.current_month(today))
    fig = sel.figures(scope, period, today=today, with_rates=False)
    current = {k: f.value for k, f in fig.volume.items()}
    year_ago = {k: f.year_ago for k, f in fig.volume.items()}
    sentence = volume_sentence(scope, period, current=current, year_ago=year_ago)
    headline = ["total", "matters", "contacts", "letters", "visit_groups", "visit_people", "online", "phone",
                "collective_groups", "collective_people", *sel.level_keys(scope)]
    context = _picker(request, user, scope, period, error)
    context.update({
        "headline": [fig.volume[k] for k in headline], "sentence": sentence,
        "rank_order": request.GET.get("rank", "collective"), "today": today,
    })
    return render(request, "stats/dashboard.html", context)


DASHBOARD_PARTS = ("rates", "charts", "work", "ranking")


@login_required
def dashboard_part(request: HttpRequest, part: str) -> HttpResponse:
    """One part of the dashboard (rates, charts, work on hand or rankings), for the same scope and period."""
    if part not in DASHBOARD_PARTS:
        raise Http404("没有这一部分")
    user = _user(request)
    today = timezone.localdate()
    scope, period, _error = _scope_and_period(request, user, Period.current_month(today))
    context: dict[str, Any] = {"scope": scope, "period": period,
                               "query": urlencode({"unit": str(scope.unit.pk), **period.query()})}
    if part == "rates":
        fig = sel.figures(scope, period, today=today, previous=False)
        context["rates"] = list(fig.rates.values())
    elif part == "work":
        overdue, overdue_count = sel.due_clocks(scope, user, overdue=True, today=today)
        soon, soon_count = sel.due_clocks(scope, user, overdue=False, today=today)
        context.update({
            "overdue": overdue, "overdue_count": overdue_count, "soon": soon, "soon_count": soon_count,
            "overdue_url": sel.drill_url("overdue", scope, period), "soon_url": sel.drill_url("due_soon", scope, period),
        })
    elif part == "charts":
        trend = sel.trend(scope, period, keys=["contacts"])

        def seg(dim: str, measure: str = "contacts") -> list[dict[str, Any]]:
            return [{"name": s.label, "value": s.values.get(measure, 0),
                     "url": sel.drill_url(measure, scope, period, dim=dim, key=s.key)}
                    for s in sel.breakdown(scope, period, dim, compare=False)]

        context["chart_data"] = {
            "trend": {
                "labels": [f"{mo.start.year}年{mo.start.month}月" for mo in trend.months],
                "series": [
                    {"name": "件次", "data": [v["contacts"] for v in trend.values],
                     "urls": [sel.drill_url("contacts", scope, mo) for mo in trend.months]},
                    {"name": "去年同期件次", "data": [v["contacts"] for v in trend.year_ago],
                     "urls": [sel.drill_url("contacts", scope, mo.year_ago()) for mo in trend.months]},
                ],
            },
            "channel": seg("channel"), "category": seg("category1"), "locality": seg("locality"),
        }
    else:
        order = request.GET.get("rank", "collective")
        if order not in sel.RANK_ORDERS:
            order = "collective"
        context.update({
            "ranking": sel.rankings(scope, period, today=today, order=order), "rank_order": order,
            "rank_orders": sel.RANK_ORDERS, "rank_levels": sel.level_keys_for_children(scope),
            "rank_rates": sel.RANK_RATES, "metric_labels": {k: v.label for k, v in m.METRICS.items()},
            "metric_units": {k: v.unit for k, v in m.METRICS.items()},
        })
    return render(request, f"stats/_dashboard_{part}.html", context)


# Drill-down --------------------------------------------------------------------------------------------

@login_required
def drilldown(request: HttpRequest, metric: str) -> HttpResponse:
    """The matters behind one figure: /stats/drill/<metric>/?unit=&from=&to=[&part=][&dim=&key=]."""
    user = _user(request)
    try:
        definition = m.get(metric)
    except LookupError:
        raise Http404("没有这项统计指标") from None
    scope = scope_for(user, request.GET.get("unit"))
    choice = period_from(request.GET, default=Period.current_month())
    if choice.error:
        raise Http404(choice.error)
    period = choice.period
    part, dim, key = request.GET.get("part", ""), request.GET.get("dim", ""), request.GET.get("key", "")
    try:
        part_label = definition.part(part).label if part else ""
        if dim and dim not in m.DIMENSIONS:
            raise ValueError(dim)
        today = timezone.localdate()
        behind = definition.matters(scope, period, part=part, dim=dim, key=key, today=today)
        total = behind.count()
    except (ValueError, KeyError):
        raise Http404("统计口径参数无效") from None
    visible = (Petition.objects.visible_to(user).filter(pk__in=behind.values("pk"))
               .select_related("receiving_unit", "handling_unit", "category").order_by("-received_at", "-id"))
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = page.paginator.count
    figure = None
    if isinstance(definition, m.ContactMetric) and not part:
        rows = definition.filtered(scope, period, dim=dim, key=key)
        figure = rows.aggregate(v=definition.aggregate())["v"] or 0
    segment = ""
    if dim:
        segment = _segment_label(dim, key, scope)
    return render(request, "stats/drilldown.html", {
        "metric": definition, "scope": scope, "period": period, "part": part, "part_label": part_label,
        "dim": m.DIMENSIONS.get(dim), "segment": segment, "page": page, "total": total, "shown": shown,
        "hidden": total - shown, "figure": figure,
        "back": f"?{urlencode({'unit': str(scope.unit.pk), **period.query()})}",
        "query": urlencode({k: str(v) for k, v in request.GET.items() if k != "page"}),
    })


def _segment_label(dim: str, key: str, scope: Scope) -> str:
    from petitions.models import Category

    if key == m.NONE_KEY:
        return "（无）"
    if key == m.OTHER_KEY:
        return "辖区外单位"
    if dim == "channel":
        return m.CHANNEL_LABELS.get(key, key)
    if dim == "kind":
        return m.KIND_LABELS.get(key, key)
    raw = key.lstrip("=")
    if dim.startswith("category"):
        category = Category.objects.filter(pk=raw).first() if raw.isdigit() else None
        return category.full_name if category else key
    unit = scope.by_id.get(int(raw)) if raw.isdigit() else None
    return unit.name if unit else key


# Reports ----------------------------------------------------------------------------------------------

@login_required
def report(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scope, period, error = _scope_and_period(request, user, last_complete_month())
    built = reports.build_report(scope, period)
    context = _picker(request, user, scope, period, error)
    context.update({"report": built, "rules": _rules(), "export_name": "stats:report_export"})
    return render(request, "stats/report.html", context)


@login_required
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _user(request)
    scope, period, error = _scope_and_period(request, user, last_complete_month())
    if error:
        raise Http404(error)
    return _export(request, user, reports.build_report(scope, period), fmt)


@login_required
def annual(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scope = scope_for(user, request.GET.get("unit"))
    year = _year(request, default=timezone.localdate().year - 1)
    period = Period.year(year)
    built = reports.annual_report(scope, year, viewer=user)
    context = _picker(request, user, scope, period, "")
    context.update({"report": built, "rules": _rules(), "annual": True, "year": year,
                    "export_name": "stats:annual_export"})
    return render(request, "stats/report.html", context)


@login_required
def annual_export(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _user(request)
    scope = scope_for(user, request.GET.get("unit"))
    year = _year(request, default=timezone.localdate().year - 1)
    return _export(request, user, reports.annual_report(scope, year, viewer=user), fmt)


def _year(request: HttpRequest, *, default: int) -> int:
    raw = request.GET.get("year") or (request.GET.get("from") or "")[:4]
    try:
        year = int(raw) if raw else default
    except ValueError:
        raise Http404("年份无效") from None
    if not 2000 <= year <= 2100:
        raise Http404("年份无效")
    return year


def _export(request: HttpRequest, user: User, built: reports.Report, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        data, content_type = exports.to_xlsx(built, base_url=request.build_absolute_uri("/")[:-1]), XLSX
    elif fmt == "docx":
        data, content_type = exports.to_docx(built), DOCX
    else:
        raise Http404("不支持的格式")
    record(user, Action.EXPORT, None, object_type="stats.report", object_id=str(built.scope.unit.pk),
           summary=f"导出{built.title}（{fmt.upper()}）")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{built.title}.{fmt}") or "attachment"
    return response


def _rules() -> list[tuple[str, str, str]]:
    return [(metric.label, metric.unit, metric.rule) for metric in m.METRICS.values() if metric.rule]


# Periodicals ------------------------------------------------------------------------------------------

def _bulletin_or_404(user: User, pk: int) -> Bulletin:
    bulletin = sel.bulletins_visible_to(user).filter(pk=pk).first()
    if bulletin is None:
        raise Http404("简报不存在或无权查看")
    return bulletin


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scope = scope_for(user, request.GET.get("unit"))
    qs = sel.bulletins_visible_to(user).filter(unit=scope.unit)
    kind = request.GET.get("kind", "")
    if kind in BulletinKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.select_related("created_by", "published_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    default = last_complete_month()
    form = BulletinCreateForm(initial={"kind": BulletinKind.BULLETIN, "period": p.MONTH, "year": default.start.year,
                                       "n": default.start.month})
    context = _picker(request, user, scope, default, "")
    context.update({"page": page, "form": form, "kinds": BulletinKind.choices, "kind": kind,
                    "can_edit": user.can("reports")})
    return render(request, "stats/bulletins.html", context)


@login_required
@require_POST
def bulletin_new(request: HttpRequest) -> HttpResponse:
    user = _user(request, "reports")
    scope = scope_for(user, request.POST.get("unit"))
    form = BulletinCreateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(f"{_url('stats:bulletins')}?unit={scope.unit.pk}")
    try:
        bulletin = services.create_draft(actor=user, unit=scope.unit, kind=form.cleaned_data["kind"],
                                         period=form.cleaned_data["the_period"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{_url('stats:bulletins')}?unit={scope.unit.pk}")
    messages.success(request, "已根据本期数据起草，请修改后发布。")
    return redirect("stats:bulletin", pk=bulletin.pk)


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    bulletin = _bulletin_or_404(user, pk)
    form = BulletinEditForm(instance=bulletin)
    if request.method == "POST":
        user = _user(request, "reports")
        form = BulletinEditForm(request.POST, instance=bulletin)
        if form.is_valid():
            try:
                services.update_draft(bulletin, actor=user, title=form.cleaned_data["title"],
                                      body=form.cleaned_data["body"])
                messages.success(request, "草稿已保存。")
                return redirect("stats:bulletin", pk=bulletin.pk)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    from stats.publishing import blocks

    return render(request, "stats/bulletin.html", {
        "bulletin": bulletin, "form": form, "blocks": blocks(bulletin.body), "can_edit": user.can("reports"),
        "scope": Scope.of(bulletin.unit), "period": bulletin.period,
    })


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, "reports")
    bulletin = _bulletin_or_404(user, pk)
    try:
        published = services.publish(bulletin, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("stats:bulletin", pk=pk)
    messages.success(request, f"已发布：{published.get_kind_display()}{published.issue_label}。")
    return redirect("stats:bulletin", pk=pk)


@login_required
@require_POST
def bulletin_discard(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, "reports")
    bulletin = _bulletin_or_404(user, pk)
    unit = bulletin.unit_id
    try:
        services.discard_draft(bulletin, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("stats:bulletin", pk=pk)
    messages.success(request, "草稿已删除。")
    return redirect(f"{_url('stats:bulletins')}?unit={unit}")


@login_required
def bulletin_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    user = _user(request)
    bulletin = _bulletin_or_404(user, pk)
    field = {"docx": bulletin.docx, "pdf": bulletin.pdf}.get(fmt)
    if field is None or not field:
        raise Http404("文件不存在")
    name = f"{bulletin.get_kind_display()}{bulletin.year}年第{bulletin.issue_no}期.{fmt}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name,
                        content_type=DOCX if fmt == "docx" else "application/pdf")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
