from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.auth import staff
from core.errors import DomainError
from handling import selectors, services
from handling.actions import BY_NAME, ActionContext, scope_unit_choices
from handling.forms import DispatchForm
from petitions.paginators import CappedPaginator
from petitions.selectors import get_visible_or_404


@login_required
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One page per lifecycle action: GET shows the form, POST runs the service."""
    user = staff(request)
    petition = get_visible_or_404(user, pk=pk)
    spec = BY_NAME.get(name)
    if spec is None:
        raise Http404
    context = ActionContext.load(petition, user)
    offered = spec.available(context)
    form = spec.form(request.POST or None, initial={"version": petition.version})
    scope_unit_choices(form, user)
    if request.method == "POST" and form.is_valid():
        posted_version = form.cleaned_data.get("version")
        if posted_version:
            petition.version = posted_version
        try:
            spec.run(petition, user, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except DomainError as exc:
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, f"已{spec.label}：{petition.number}")
            return redirect("petitions:detail", pk=petition.pk)
    return render(request, "handling/action.html", {
        "petition": petition, "spec": spec, "form": form, "offered": offered,
    })


@login_required
def bulk_transfer(request: HttpRequest) -> HttpResponse:
    """批量转送: matters waiting for triage (registered or accepted), several to one unit at once."""
    user = staff(request)
    if not user.can("triage"):
        raise PermissionDenied
    form = DispatchForm(request.POST or None)
    scope_unit_choices(form, user)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("petitions") if v.isdigit()]
        if not ids:
            form.is_valid()
            form.add_error(None, "请先勾选要转送的事项。")
        elif form.is_valid():
            result = services.bulk_transfer(ids, actor=user, to_unit=form.cleaned_data["to_unit"],
                                            note=form.cleaned_data["note"])
            if result.done:
                messages.success(request, f"已将{len(result.done)}件事项转送{form.cleaned_data['to_unit'].name}。")
            for number, reason in result.failed:
                messages.error(request, f"{number} 未转送：{reason}")
            return redirect("handling:bulk_transfer")
    page = CappedPaginator(selectors.awaiting_triage(user), 50).get_page(request.GET.get("page"))
    return render(request, "handling/bulk_transfer.html", {"form": form, "page": page, "filters": {}})
