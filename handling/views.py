from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.auth import staff
from core.errors import DomainError
from handling.actions import BY_NAME, ActionContext, scope_unit_choices
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
