"""Insight pages and fragments: the 排查预警 page (hot topics and early signs of the user's scope), and
the fragments the registration and handling pages load — category/unit suggestions with the terms
that drove them (shown on hover), similar matters, answer lines. Every matter listed comes through
`Petition.objects.visible_to(user)`."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.auth import staff
from insight import selectors, services
from petitions.models import Petition
from petitions.selectors import get_visible_or_404

MAX_TEXT = 20000


def _require(request: HttpRequest, capability: str) -> Any:
    user = staff(request)
    if user.unit is None or not user.can(capability):
        raise PermissionDenied
    return user


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", "")


def _text(request: HttpRequest) -> tuple[str, str]:
    title = (request.POST.get("title") or "").strip()[:200]
    content = (request.POST.get("content") or request.POST.get("text") or "").strip()[:MAX_TEXT]
    return title, content


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _require(request, "prevention")
    days = _bounded(request.GET.get("days"), 30, 7, 180)
    default_k, default_days = services.early_sign_settings()
    sign_days = _bounded(request.GET.get("sign_days"), default_days, 1, 30)
    k = _bounded(request.GET.get("k"), default_k, 2, 50)
    period = _period(request)  # a report's period (信访简报 → its hot topics), else the last `days` days
    if period is not None:
        days = (period[1] - period[0]).days + 1
    until = _aware_day(period[1] + datetime.timedelta(days=1)) if period else None
    topics = services.hot_topics_visible(user, days=days, until=until)
    signs = services.early_signs_visible(user, k=k, days=sign_days)
    alerts = selectors.recent_alerts(user)
    ids = ({i for t in topics for i in t.item_ids} | {i for s in signs for i in s.item_ids}
           | {i for a, visible in alerts for i in visible})
    matters = {p.pk: p for p in Petition.objects.visible_to(user).filter(pk__in=ids).select_related("locality")}
    return render(request, "insight/home.html", {
        "topics": [(t, [matters[i] for i in t.representatives if i in matters],
                    [matters[i] for i in t.item_ids if i in matters]) for t in topics],
        "signs": [(s, [matters[i] for i in s.item_ids if i in matters]) for s in signs],
        "alerts": [(a, [matters[i] for i in visible if i in matters]) for a, visible in alerts],
        "accuracy": selectors.suggestion_accuracy(),
        "days": days, "sign_days": sign_days, "k": k, "period": period,
    })


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """Category (every level) and handling-unit suggestions for the registration form being filled in."""
    _require(request, "register")
    title, content = _text(request)
    result = services.suggest_tree(f"{title}\n{content}".strip())
    units = selectors.unit_names([s["label"] for s in result["unit"]])
    for s in result["unit"]:
        s["name"] = units.get(s["label"], s["label"])
    if _wants_json(request):
        return JsonResponse({"suggestions": result})
    return render(request, "insight/_suggestions.html", {"result": result})


@login_required
def matter_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Similar matters and answer lines (口径) for one matter's page, both narrowed to what the user may see."""
    user = _require(request, "view_petitions")
    petition = get_visible_or_404(user, pk=pk)
    text = f"{petition.title}\n{petition.content}"
    hits = services.similar_matters(user, text, exclude=petition.pk)
    lines = services.answer_lines(user, petition.content, title=petition.title, exclude=petition.pk)
    ids = [h.id for h in hits] + [a.id for a in lines]
    by_id = {p.pk: p for p in Petition.objects.visible_to(user).filter(pk__in=ids).select_related("locality")}
    similar_rows = [(by_id[h.id], h.score) for h in hits if h.id in by_id]
    line_rows = [(by_id[a.id], a) for a in lines if a.id in by_id]
    if _wants_json(request):
        return JsonResponse({
            "similar": [{"id": p.pk, "number": p.number, "title": p.title, "score": s} for p, s in similar_rows],
            "answer_lines": [{"id": p.pk, "number": p.number, "title": p.title, "score": a.score, "excerpt": a.excerpt}
                             for p, a in line_rows]})
    return render(request, "insight/_matter_panel.html", {"similar_rows": similar_rows, "line_rows": line_rows,
                                                          "petition": petition})


@login_required
@require_POST
def similar(request: HttpRequest) -> HttpResponse:
    user = _require(request, "view_petitions")
    title, content = _text(request)
    exclude = _int(request.POST.get("exclude"))
    hits = services.similar_matters(user, f"{title}\n{content}".strip(), exclude=exclude)
    matters = Petition.objects.visible_to(user).filter(pk__in=[h.id for h in hits]).select_related("locality")
    by_id = {p.pk: p for p in matters}
    rows = [(by_id[h.id], h.score) for h in hits if h.id in by_id]
    if _wants_json(request):
        return JsonResponse({"similar": [{"id": p.pk, "number": p.number, "title": p.title, "score": s}
                                         for p, s in rows]})
    return render(request, "insight/_similar.html", {"rows": rows})


@login_required
def answer_lines(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request, "view_petitions")
    petition = get_visible_or_404(user, pk=pk)
    lines = services.answer_lines(user, petition.content, title=petition.title, exclude=petition.pk)
    matters = {p.pk: p for p in Petition.objects.visible_to(user).filter(pk__in=[a.id for a in lines])}
    rows = [(matters[a.id], a) for a in lines if a.id in matters]
    if _wants_json(request):
        return JsonResponse({"answer_lines": [{"id": p.pk, "number": p.number, "title": p.title, "score": a.score,
                                               "excerpt": a.excerpt} for p, a in rows]})
    return render(request, "insight/_answer_lines.html", {"rows": rows, "petition": petition})


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date] | None:
    """`?start=YYYY-MM-DD&end=YYYY-MM-DD` (both days included, at most a year: a 信访简报 may be annual), or None."""
    try:
        start = datetime.date.fromisoformat(request.GET.get("start", ""))
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return None
    if end < start or (end - start).days >= 366:
        return None
    return start, end


def _aware_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _bounded(value: Any, default: int, low: int, high: int) -> int:
    n = _int(value)
    return default if n is None else max(low, min(high, n))
