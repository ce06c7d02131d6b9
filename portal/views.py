"""The public site (公众网站): no login. Every form is CSRF-protected; pages load no inline script
or style (the strict Content-Security-Policy of core.middleware applies)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.middleware import client_ip
from audit.models import Action
from audit.services import record
from core.errors import DomainError
from petitions.models import Petition
from portal import captcha, selectors, services, throttle
from portal.forms import RATING_VALUES, FollowForm, RateForm, SubmissionForm
from portal.models import FAQ, Notice

FOLLOW_KEY = "portal_follow"
RECEIPT_KEY = "portal_receipt"
TOKENS_KEY = "portal_tokens"
MAX_TOKENS = 10
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _base(**extra: Any) -> dict[str, Any]:
    return {"office": services.portal_settings(), **extra}


def roster_rows(start: datetime.date, days: int) -> tuple[bool, list[Any]]:
    """The published reception roster, if the reception app provides it (reception.selectors)."""
    try:
        from reception.selectors import published_roster  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False, []
    unit = services.portal_settings().unit
    return True, list(published_roster(start, days, unit=unit.scope_root if unit else None))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    available, roster = roster_rows(today, 7)
    return render(request, "portal/home.html", _base(
        notices=Notice.objects.filter(is_published=True, published_at__lte=timezone.now())[:8],
        roster_available=available, roster=roster[:6],
    ))


@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    available, rows = roster_rows(timezone.localdate(), 31)
    return render(request, "portal/roster.html", _base(roster_available=available, roster=rows))


@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Notice, pk=pk, is_published=True, published_at__lte=timezone.now())
    return render(request, "portal/notice.html", _base(notice=item))


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/faq.html", _base(faqs=FAQ.objects.filter(is_published=True)))


@never_cache
@require_GET
def captcha_image(request: HttpRequest) -> HttpResponse:
    # Each image costs a render and a session write: limited per IP so a script cannot hammer it.
    images = throttle.limit("captcha_ip")
    if throttle.hit(images, client_ip(request) or "-") > images.count:
        response = HttpResponse(f"验证码图片请求过于频繁（每个网络地址{images.describe()}），请稍后再试。",
                                content_type="text/plain; charset=utf-8", status=429)
        response["Retry-After"] = str(images.seconds)
        response["Cache-Control"] = "no-store"
        return response
    text = captcha.issue(request.session)
    response = HttpResponse(captcha.render_png(text), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


def _issue_token(request: HttpRequest) -> str:
    token = services.new_token()
    tokens = [t for t in request.session.get(TOKENS_KEY, []) if isinstance(t, str)][-(MAX_TOKENS - 1):]
    request.session[TOKENS_KEY] = [*tokens, token]
    return token


def _show_receipt(request: HttpRequest, petition: Petition) -> HttpResponse:
    request.session[RECEIPT_KEY] = petition.pk
    request.session[FOLLOW_KEY] = petition.pk
    return redirect("portal:receipt")


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    try:
        services.receiving_unit()
    except DomainError as exc:
        return render(request, "portal/closed.html", _base(message=exc.message), status=503)
    if request.method != "POST":
        form = SubmissionForm(initial={"token": _issue_token(request)})
        return render(request, "portal/submit.html", _base(form=form))
    limit = services.MAX_ATTACHMENTS * settings.UPLOAD_MAX_BYTES + 2 * 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        # Refuse before Django parses (and spools to disk) an upload that cannot be accepted.
        form = SubmissionForm(initial={"token": _issue_token(request)})
        form.is_bound = False
        return render(request, "portal/submit.html", _base(
            form=form, too_large=f"提交的内容过大（附件合计不能超过{limit // 1024 // 1024} MB），请删减附件后重新填写。"),
            status=413)
    form = SubmissionForm(request.POST, request.FILES)
    token = (request.POST.get("token") or "").strip()
    status = 400
    if token and token in request.session.get(TOKENS_KEY, []):
        from portal.models import Submission

        done = Submission.objects.filter(token=token, petition__isnull=False).select_related("petition").first()
        if done is not None:  # the same form again (double click, reload): the matter it registered
            return _show_receipt(request, done.petition)  # type: ignore[arg-type]
        if not captcha.verify(request.session, request.POST.get("captcha", "")):
            form.is_valid()
            form.add_error("captcha", "验证码不正确或已过期，请看新的图片重新输入。")
        elif form.is_valid():
            try:
                result = services.submit(form.to_input(), token=token, ip=client_ip(request))
            except services.Throttled as exc:
                form.add_error(None, exc.message)
                status = 429
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return _show_receipt(request, result.petition)
    else:
        form.is_valid()
        form.add_error(None, "表单已失效（页面停留过久或已在其他窗口提交），请重新填写。")
    data = form.data.copy()  # type: ignore[attr-defined]
    data["token"] = _issue_token(request)
    data["captcha"] = ""
    form.data = data
    return render(request, "portal/submit.html", _base(form=form), status=status)


@never_cache
@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    petition = Petition.objects.filter(pk=request.session.get(RECEIPT_KEY) or 0).first()
    if petition is None:
        return redirect("portal:submit")
    return render(request, "portal/receipt.html", _base(petition=petition))


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/follow.html", _base(form=FollowForm()))
    form = FollowForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            petition = services.follow(form.cleaned_data["number"], form.cleaned_data["code"], ip=client_ip(request))
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            # One matter per session: a new lookup replaces the previous one, and the matter pages
            # take no id from the URL, so a follow session cannot be used to browse other matters.
            request.session.cycle_key()
            request.session[FOLLOW_KEY] = petition.pk
            return redirect("portal:matter")
    return render(request, "portal/follow.html", _base(form=form), status=status)


def _followed(request: HttpRequest) -> Petition | None:
    pk = request.session.get(FOLLOW_KEY)
    if not isinstance(pk, int):
        return None
    return Petition.objects.select_related("receiving_unit", "handling_unit", "category").filter(pk=pk).first()


@never_cache
@require_GET
def matter(request: HttpRequest) -> HttpResponse:
    petition = _followed(request)
    if petition is None:
        messages.info(request, "请输入事项编号和查询码。")
        return redirect("portal:follow")
    view = selectors.public_matter(petition)
    return render(request, "portal/matter.html", _base(m=view, p=petition, rating_values=RATING_VALUES))


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    petition = _followed(request)
    if petition is None:
        messages.info(request, "查询已过期，请重新输入事项编号和查询码。")
        return redirect("portal:follow")
    form = RateForm(request.POST)
    status = 400
    error = ""
    if form.is_valid():
        try:
            services.rate(petition, stage=form.cleaned_data["stage"], value=form.cleaned_data["value"],
                          comment=form.cleaned_data["comment"], ip=client_ip(request))
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, "感谢您的评价，已记录。")
            return redirect("portal:matter")
    else:
        error = "；".join(str(e) for errors in form.errors.values() for e in errors)
    view = selectors.public_matter(petition)
    return render(request, "portal/matter.html",
                  _base(m=view, p=petition, rating_values=RATING_VALUES, rate_error=error), status=status)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(FOLLOW_KEY, None)
    request.session.pop(RECEIPT_KEY, None)
    return redirect("portal:follow")


@require_GET
def document(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    petition = _followed(request)
    if petition is None or fmt not in CONTENT_TYPES:
        raise Http404("查询已过期或文书不存在")
    doc = selectors.petitioner_document(petition, pk)
    field = getattr(doc, fmt, None) if doc is not None else None
    if doc is None or not field:
        raise Http404("文书不存在")
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("文书文件不存在") from None
    record(services.PETITIONER, Action.VIEW_PERSONAL, doc, ip=client_ip(request),
           summary=f"信访人网上下载文书 {doc.doc_number}（{petition.number}，{fmt.upper()}）")
    return FileResponse(handle, as_attachment=fmt == "docx", filename=f"{doc.download_name}.{fmt}",
                        content_type=CONTENT_TYPES[fmt])
