from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.services import record_personal_view
from core.auth import staff
from core.errors import DomainError
from documents import services
from documents.forms import DeliveryForm
from documents.models import Document, DocumentTemplate
from documents.selectors import documents_of
from petitions.selectors import get_visible_or_404

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
DELIVER_CAPABILITIES = ("triage", "handle")


def _visible_document(request: HttpRequest, pk: int) -> Document:
    try:
        return Document.objects.visible_to(request.user).select_related("petition").get(pk=pk)
    except Document.DoesNotExist:
        raise Http404("文书不存在或无权查看") from None


@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """The DOCX or PDF of a document of a matter the user may see. Documents carry personal data: audited."""
    document = _visible_document(request, pk)
    if not staff(request).can("view_personal"):
        raise PermissionDenied
    field = document.docx if fmt == "docx" else document.pdf
    if not field:
        raise Http404("文书文件不存在")
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("文书文件不存在，请联系管理员") from None
    record_personal_view(request.user, document,
                         summary=f"下载文书 {document.doc_number} {document.title}（{document.petition.number}，{fmt.upper()}）")
    return FileResponse(handle, as_attachment=fmt == "docx", filename=f"{document.download_name}.{fmt}",
                        content_type=CONTENT_TYPES[fmt])


@login_required
def petition_documents(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The documents of one matter as a page fragment (the same include the matter page uses)."""
    petition = get_visible_or_404(request.user, pk=petition_id)
    return render(request, "documents/_list.html", {"documents": documents_of(petition), "petition": petition})


@login_required
@require_POST
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_document(request, pk)
    user = staff(request)
    if not any(user.can(capability) for capability in DELIVER_CAPABILITIES):
        raise PermissionDenied
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, f"未登记送达：{errors[0]}")
        return redirect("petitions:detail", pk=document.petition_id)
    try:
        services.mark_delivered(document, actor=user, on=form.cleaned_data["delivered_on"],
                                method=form.cleaned_data["method"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已登记送达（{document.delivery_method}）：{document.title}（{document.doc_number}）")
    return redirect("petitions:detail", pk=document.petition_id)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin renders a template against made-up data, or against a matter they may see (?petition=ID)."""
    if not staff(request).can("admin"):
        raise PermissionDenied
    template = get_object_or_404(DocumentTemplate, pk=pk)
    fmt = "docx" if request.GET.get("format") == "docx" else "pdf"
    petition = None
    if request.GET.get("petition"):
        petition = get_visible_or_404(request.user, pk=request.GET["petition"])
    try:
        data = services.preview(template, fmt=fmt, petition=petition)
    except DomainError as exc:
        return render(request, "documents/preview_error.html", {"template": template, "message": exc.message},
                      status=400)
    if petition is not None:
        record_personal_view(request.user, petition, summary=f"用事项 {petition.number} 预览文书模板 {template}")
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    disposition = "attachment" if fmt == "docx" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="preview-{template.kind}.{fmt}"'
    return response
