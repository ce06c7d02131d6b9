"""期限督办: the running clocks of the matters a user may see, with bulk 催办 and a person's 督办."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.auth import staff
from core.errors import DomainError
from deadlines import services
from deadlines.choices import ClockState
from deadlines.forms import BoardFilterForm, SupervisionOrderForm
from deadlines.models import Clock
from deadlines.selectors import ClockRow, board_clocks, supervision_orders
from petitions.paginators import CappedPaginator
from petitions.selectors import get_visible_or_404

PAGE_SIZE = 50


def _require(request: HttpRequest, capability: str) -> None:
    if not staff(request).can(capability):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def board(request: HttpRequest) -> HttpResponse:
    """Running clocks, soonest first, filtered by window and kind; select matters and 催办 them."""
    user = staff(request)
    _require(request, "supervise")
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("petitions") if v.isdigit()]
        if not ids:
            messages.error(request, "请先勾选要催办的事项。")
        else:
            try:
                result = services.bulk_remind(ids, actor=user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if result.clocks:
                    messages.success(request, f"已催办{result.petitions}件事项的{result.clocks}个期限，"
                                              f"通知{result.notifications}人次。")
                else:
                    messages.warning(request, "所选事项没有在办的期限，未发出催办。")
        return redirect(f"{request.path}?{request.POST.get('next_query', '')}")

    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    window = filters.get("window") or "3"
    today = timezone.localdate()
    qs = board_clocks(user, window=window, kind=filters.get("kind", ""), q=(filters.get("q") or "").strip(),
                      today=today)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [ClockRow(clock=c, days_left=c.days_left(today)) for c in page.object_list]
    query = {k: v for k, v in {"window": window, "kind": filters.get("kind", ""), "q": filters.get("q", "")}.items()
             if v}
    return render(request, "deadlines/board.html", {
        "form": form, "page": page, "rows": rows, "filters": query, "window": window,
        "next_query": urlencode({**query, "page": page.number}),
    })


@login_required
@require_http_methods(["GET", "POST"])
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    """督办 one matter: a notice to the unit responsible for one of its clocks."""
    user = staff(request)
    _require(request, "supervise")
    petition = get_visible_or_404(user, pk=pk)
    clocks = list(Clock.objects.filter(petition=petition, state__in=[ClockState.RUNNING, ClockState.PAUSED])
                  .select_related("unit").order_by("due_on"))
    clock = None
    if request.GET.get("clock", "").isdigit() or request.POST.get("clock", "").isdigit():
        clock = get_object_or_404(Clock, pk=int(request.POST.get("clock") or request.GET["clock"]), petition=petition)
    elif clocks:
        clock = clocks[0]
    unit = clock.unit if clock else (petition.handling_unit or petition.receiving_unit)
    form = SupervisionOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_supervision_order(petition, unit=unit, actor=user, note=form.cleaned_data["note"],
                                             clock=clock, level=form.cleaned_data["level"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已向{unit.name}发出督办通知：{petition.number}")
            return redirect("petitions:detail", pk=petition.pk)
    return render(request, "deadlines/supervise.html", {
        "petition": petition, "clock": clock, "unit": unit, "form": form,
        "orders": supervision_orders(petition).order_by("-id"),
    })
