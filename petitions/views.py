from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.services import record_personal_view
from core.auth import staff
from core.errors import DomainError
from documents.selectors import documents_of
from orgs.choices import UnitKind
from orgs.models import Unit
from petitions import localities, services
from petitions.choices import OPEN_STATUSES, Channel, ImportState, Kind, Status
from petitions.forms import ImportForm, PersonFormSet, RegistrationForm, people_from
from petitions.models import Attachment, Category, ContactPerson, IdempotencyKey, ImportJob, Petition, Petitioner
from petitions.paginators import CappedPaginator, SearchPaginator
from petitions.repeats import RepeatCheck, check_repeats
from petitions.selectors import filter_petitions, get_visible_or_404

PAGE_SIZE = 20


def _require(request: HttpRequest, capability: str) -> Any:
    user = staff(request)
    if not user.can(capability) or user.unit is None:
        raise PermissionDenied
    return user


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    user = _require(request, "view_petitions")
    base = Petition.objects.visible_to(user).select_related("receiving_unit", "handling_unit", "category")
    qs, filters = filter_petitions(base, request.GET, ordered_page=True, user=user)
    paginator: CappedPaginator
    if "q" in filters:
        matches, _ = filter_petitions(Petition.objects.visible_to(user), request.GET, user=user)
        paginator = SearchPaginator(qs, PAGE_SIZE, matches=matches, fetch=base)
    else:
        paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    selected = {
        "category": Category.objects.filter(pk=filters["category"]).first() if "category" in filters else None,
        "locality": Unit.objects.filter(pk=filters["locality"]).first() if "locality" in filters else None,
        "unit": Unit.objects.filter(pk=filters["unit"]).first() if "unit" in filters else None,
    }
    scope = user.unit.scope_root
    return render(request, "petitions/list.html", {
        "page": page, "filters": filters, "statuses": Status.choices, "channels": Channel.choices,
        "kinds": Kind.choices, "selected": selected,
        "top_categories": Category.objects.filter(parent=None, is_active=True).order_by("sort_order", "name"),
        "scope_localities": Unit.objects.filter(path__startswith=scope.path, kind=UnitKind.GOVERNMENT,
                                                depth__lte=scope.depth + 1).order_by("path"),
        "scope_units": Unit.objects.filter(path__startswith=scope.path, depth__lte=scope.depth + 1).order_by("path"),
    })


@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_visible_or_404(request.user, pk=pk,
                                  related=("receiving_unit", "handling_unit", "locality", "category"))
    contacts = petition.contacts.select_related("receiving_unit").prefetch_related(
        "people__petitioner", Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    events = petition.events.select_related("actor", "actor_unit")
    return render(request, "petitions/detail.html", {
        "petition": petition, "contacts": contacts, "events": events,
        "accused": petition.accused.select_related("unit"),
        "documents": documents_of(petition),
        "finalised_match": (Petition.objects.visible_to(request.user).filter(pk=petition.finalised_match_id).first()
                            if petition.finalised_match_id else None),
    })


@login_required
def petition_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Full personal data of a matter's petitioners. Every view is audited."""
    petition = get_visible_or_404(request.user, pk=pk)
    if not staff(request).can("view_personal"):
        raise PermissionDenied
    links = ContactPerson.objects.filter(contact__petition=petition).select_related("petitioner").order_by("id")
    people = list({link.petitioner_id: link.petitioner for link in links}.values())
    record_personal_view(request.user, petition, summary=f"查看 {petition.number} 信访人完整信息（{len(people)}人）")
    return render(request, "petitions/people.html", {"petition": petition, "people": people})


# Registration ---------------------------------------------------------------------------------

def _guess_locality(data: services.RegistrationInput) -> Unit | None:
    for person in data.people:
        if person.address:
            unit = localities.match_address(person.address)
            if unit is not None:
                return unit
    return None


def _repeat_context(user: Any, form: RegistrationForm, people: Any) -> RepeatCheck | None:
    """The repeat check for whatever the form holds now (valid or not), for the panel."""
    title = (form.data.get("title") or "").strip()
    content = (form.data.get("content") or "").strip()
    persons = []
    for person_form in people.forms:
        if person_form.is_valid() and person_form.has_changed():
            persons.append(person_form.to_input())
    if not (title or content or persons):
        return None
    locality = localities.by_division_code(form.data.get("locality_code") or "")
    if locality is None:
        for p in persons:
            locality = localities.match_address(p.address) if p.address else None
            if locality:
                break
    return check_repeats(user, title=title, content=content, people=persons, locality=locality)


FORM_TITLES: dict[str, str] = {Channel.VISIT: "来访人员登记表", Channel.LETTER: "来信登记表", Channel.PHONE: "来电登记表",
                                Channel.ONLINE: "网上信访登记表"}
CHANNEL_TABS = [(Channel.VISIT, "来访"), (Channel.LETTER, "来信"), (Channel.PHONE, "来电"), (Channel.ONLINE, "网上信访"),
                (Channel.FORWARDED, "上级转送/交办")]


@login_required
def register(request: HttpRequest) -> HttpResponse:
    user = _require(request, "register")
    channel = request.POST.get("channel") or request.GET.get("channel") or Channel.VISIT
    channel = channel if channel in Channel.values else Channel.VISIT
    form = RegistrationForm(request.POST or None, request.FILES or None, initial={"channel": channel})
    people = PersonFormSet(request.POST or None, prefix="people")
    check: RepeatCheck | None = None
    needs_decision = False
    if request.method == "POST":
        token = (request.POST.get("form_token") or "").strip()
        done = IdempotencyKey.objects.filter(user=user, key=f"form:{token}").select_related("contact").first()
        if token and done is not None and done.contact is not None:
            messages.info(request, "这张登记表已经提交过，没有重复登记。")
            return redirect("petitions:detail", pk=done.contact.petition_id)
        if form.is_valid() and people.is_valid():
            data = form.to_input(user.unit, people_from(people))
            if data.locality is None and (guessed := _guess_locality(data)) is not None:
                data.locality = guessed
                messages.info(request, f"已根据住址判断问题属地为“{guessed.name}”。")
            check = check_repeats(user, title=data.title, content=data.content, people=data.people,
                                  locality=data.locality)
            decision = (request.POST.get("repeat_decision") or "").strip()
            attach_to = None
            if check.found and not decision:
                needs_decision = True
            elif decision and decision != "new":
                attach_to = Petition.objects.visible_to(user).filter(pk=int(decision) if decision.isdigit() else 0,
                                                                    status__in=OPEN_STATUSES).first()
                if attach_to is None:
                    form.add_error(None, "所选的事项不存在、不可见或已办结，不能并入。请重新选择。")
                    needs_decision = True
            if not needs_decision:
                try:
                    result = services.register_once(data, actor=user, key=f"form:{form.cleaned_data['form_token']}",
                                                    attach_to=attach_to, repeat_check=check)
                except DomainError as exc:
                    field = exc.field if exc.field in form.fields else None
                    if exc.field == "people":
                        people._non_form_errors = people.error_class([exc.message])  # type: ignore[attr-defined]
                    else:
                        form.add_error(field, exc.message)
                else:
                    contact = result.contact
                    assert contact is not None  # noqa: S101 - a form key always stores its contact
                    if not result.created:
                        messages.info(request, "这张登记表已经提交过，没有重复登记。")
                    elif attach_to is not None:
                        messages.success(request, f"已作为重复件并入 {attach_to.number}（件次 {attach_to.contact_count + 1}）。")
                    else:
                        petition = contact.petition
                        messages.success(request, f"已登记：{petition.number}，查询码 {petition.query_code}")
                    return redirect("petitions:detail", pk=contact.petition_id)
    return render(request, "petitions/register.html", {
        "form": form, "people": people, "check": check, "needs_decision": needs_decision, "channel": channel,
        "form_title": FORM_TITLES.get(channel, "信访事项登记表"), "channel_tabs": CHANNEL_TABS,
        "locality_chain": [{"id": u.pk, "name": u.name, "code": u.division_code}
                           for u in localities.chain(form.cleaned_data.get("locality_code")
                                                     if form.is_bound and hasattr(form, "cleaned_data") else None)],
    })


@login_required
@require_POST
def register_check(request: HttpRequest) -> HttpResponse:
    """The repeat panel for the form as it is being filled in (htmx)."""
    user = _require(request, "register")
    form = RegistrationForm(request.POST)
    people = PersonFormSet(request.POST, prefix="people")
    check = _repeat_context(user, form, people)
    return render(request, "petitions/_repeat_panel.html", {"check": check, "needs_decision": False,
                                                            "live": True})


# People ------------------------------------------------------------------------------------------

def _visible_petitioner(user: Any, pk: int) -> Petitioner:
    petitioner = Petitioner.objects.visible_to(user).filter(pk=pk).first()
    if petitioner is None:
        raise Http404("信访人不存在或无权查看")
    return petitioner


def _matters_of(user: Any, petitioner: Petitioner) -> Any:
    return (Petition.objects.visible_to(user).filter(contacts__people__petitioner=petitioner).distinct()
            .select_related("receiving_unit", "category").order_by("-received_at"))


@login_required
def petitioner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's page: the matters and contacts the user may see, personal data masked."""
    user = _require(request, "view_petitions")
    petitioner = _visible_petitioner(user, pk)
    matters = list(_matters_of(user, petitioner)[:200])
    links = (ContactPerson.objects.filter(petitioner=petitioner, contact__petition__in=[m.pk for m in matters])
             .select_related("contact__receiving_unit", "contact__petition").order_by("-contact__received_at"))
    return render(request, "petitions/petitioner.html", {
        "person": petitioner, "matters": matters, "links": links,
        "open_count": sum(1 for m in matters if m.status in OPEN_STATUSES),
    })


@login_required
def petitioner_full(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request, "view_personal")
    petitioner = _visible_petitioner(user, pk)
    record_personal_view(user, petitioner, summary=f"查看信访人完整信息（{petitioner.masked_name}）")
    return render(request, "petitions/petitioner_full.html", {"person": petitioner})


# Attachments -----------------------------------------------------------------------------------

@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _require(request, "view_petitions")
    attachment = get_object_or_404(Attachment.objects.select_related("contact"), pk=pk)
    get_visible_or_404(user, pk=attachment.contact.petition_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)


# Import ----------------------------------------------------------------------------------------

def _visible_job(user: Any, pk: int) -> ImportJob:
    qs = ImportJob.objects.all() if user.can("admin") else ImportJob.objects.filter(created_by=user)
    return get_object_or_404(qs, pk=pk)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    from petitions import tasks

    user = _require(request, "import")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = tasks.start_import(user, upload.name, upload, dry_run=form.cleaned_data["dry_run"])
        return redirect("petitions:import_status", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=user)[:10]
    return render(request, "petitions/import.html", {"form": form, "jobs": jobs})


@login_required
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    from petitions import tasks

    user = _require(request, "import")
    job = _visible_job(user, pk)
    template = "petitions/_import_progress.html" if request.headers.get("HX-Request") else "petitions/import_status.html"
    return render(request, template, {"job": job, "progress": tasks.read_progress(job),
                                      "finished": job.state in (ImportState.DONE, ImportState.FAILED)})


@login_required
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real a file whose dry run passed."""
    from petitions import tasks

    user = _require(request, "import")
    checked = _visible_job(user, pk)
    if not checked.dry_run or checked.state != ImportState.DONE or checked.result.get("errors"):
        messages.error(request, "只有检查通过的文件才能导入。")
        return redirect("petitions:import_status", pk=checked.pk)
    job = tasks.start_import(user, checked.original_name, None, dry_run=False, same_file_as=checked)
    return redirect("petitions:import_status", pk=job.pk)
