"""Use cases of documents: render one for a matter, record its delivery, maintain the templates.

Public API for other apps:
    render_document(petition, kind, *, actor, context=None, for_petitioner=False, office=None) -> Document
    mark_delivered(document, *, actor, on=None, method=DeliveryMethod.DIRECT) -> Document
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.models import Action
from audit.services import record
from core.errors import Conflict, DomainError
from core.sequences import next_value
from documents import defaults
from documents.choices import NUMBER_ABBREVIATIONS, DeliveryMethod, DocumentKind
from documents.context import build_context, doc_number, office_short_name, petition_context, petitioner_name
from documents.models import Document, DocumentTemplate
from documents.rendering import Meta, to_docx, to_pdf
from documents.samples import SAMPLE_EXTRA, sample_context
from documents.templating import RenderedText, jsonable, render_text, validate
from orgs.models import Unit
from petitions.models import Petition
from petitions.workflow import record_event

logger = logging.getLogger("xinfang.documents")


def _kind_label(kind: str) -> str:
    return DocumentKind(kind).label


def active_template(kind: str) -> DocumentTemplate:
    if kind not in DocumentKind.values:
        raise DomainError(f"未知的文书种类：{kind}。", field="kind")
    template = DocumentTemplate.objects.filter(kind=kind, is_active=True).first()
    if template is None:
        raise DomainError(
            f"“{_kind_label(kind)}”没有启用的文书模板，请管理员在“系统管理 → 文书模板”中启用一个模板。",
            code="template_missing", field="kind",
        )
    return template


def _office(petition: Petition, actor: Any, office: Unit | None) -> Unit:
    if office is not None:
        return office
    unit = getattr(actor, "unit", None) if getattr(actor, "is_authenticated", False) else None
    return unit or petition.receiving_unit


def _meta(office_name: str, petition_number: str, query_code: str, created_at: datetime.datetime) -> Meta:
    return Meta(office_name=office_name, created_at=created_at, petition_number=petition_number,
                query_code=query_code)


def render_document(petition: Petition, kind: str, *, actor: Any, context: dict[str, Any] | None = None,
                    for_petitioner: bool = False, office: Unit | None = None) -> Document:
    """Render the active template of `kind` for `petition` to DOCX and PDF and attach it to the matter.

    Takes the next 文号 of the issuing office (`office`, else the actor's unit, else the matter's
    receiving unit) for this kind and year, stores both files under MEDIA_ROOT
    (documents/<year>/<petition id>/), writes an Event (action "document") and an audit row, all in
    one transaction; if anything fails, the files written so far are removed and nothing is saved.
    """
    template = active_template(kind)
    issuer = _office(petition, actor, office)
    extra = dict(context or {})
    petition_data = petition_context(petition)
    addressee = petitioner_name(petition)
    now = timezone.now()
    today = timezone.localdate(now)
    written: list[str] = []
    try:
        with transaction.atomic():
            sequence = next_value(f"document:{issuer.pk}:{kind}:{today.year}")
            number = doc_number(issuer, kind, today.year, sequence)
            values = build_context(petition_data, petitioner=addressee, office_name=issuer.name,
                                   office_short=office_short_name(issuer), number=number, today=today, extra=extra)
            title, blocks = render_text(template.title, template.body, values)
            meta = _meta(issuer.name, petition.number, petition.query_code, now)
            rendered = RenderedText(title=title, doc_number=number, blocks=blocks, footer=meta.footer)
            docx_bytes = to_docx(rendered, meta)
            pdf_bytes = to_pdf(rendered, meta)
            document = Document.objects.create(
                petition=petition, kind=kind, title=title[:200], doc_number=number, office=issuer,
                template=template, template_version=template.version,
                template_source=f"{template.title}\n\n{template.body}", text=rendered.plain,
                created_at=now, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                for_petitioner=for_petitioner, data=jsonable(extra),
            )
            document.docx.save(f"{kind}.docx", ContentFile(docx_bytes), save=False)
            written.append(document.docx.name)
            document.pdf.save(f"{kind}.pdf", ContentFile(pdf_bytes), save=False)
            written.append(document.pdf.name)
            document.save(update_fields=["docx", "pdf"])
            record_event(petition, actor=actor, action="document", note=title, data={"document": document.pk})
            record(actor, Action.CREATE, document, summary=f"生成文书 {number} {title}（{petition.number}）",
                   data={"petition": petition.pk, "kind": kind, "doc_number": number})
    except BaseException:
        for name in written:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not remove document file %s", name, exc_info=True)
        raise
    return document


def _delivery_time(on: datetime.date | datetime.datetime | None) -> datetime.datetime:
    if on is None:
        return timezone.now()
    if isinstance(on, datetime.datetime):
        if timezone.is_naive(on):
            raise DomainError("送达时间缺少时区信息。", field="on")
        return on
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))


def mark_delivered(document: Document, *, actor: Any, on: datetime.date | datetime.datetime | None = None,
                   method: str = DeliveryMethod.DIRECT) -> Document:
    """Record that `document` was delivered (送达) by `method`, on a date or at a time (default: now)."""
    if method not in DeliveryMethod.values:
        raise DomainError(f"请选择送达方式（{'、'.join(DeliveryMethod.values)}）。", field="method")
    when = _delivery_time(on)
    if timezone.localdate(when) > timezone.localdate():
        raise DomainError("送达日期不能晚于今天。", field="on")
    if timezone.localdate(when) < timezone.localdate(document.created_at):
        raise DomainError("送达日期不能早于文书生成日期。", field="on")
    with transaction.atomic():
        updated = (Document.objects.filter(pk=document.pk, delivered_at__isnull=True)
                   .update(delivered_at=when, delivery_method=method))
        if not updated:
            current = Document.objects.filter(pk=document.pk).values_list("delivered_at", flat=True).first()
            when_text = timezone.localtime(current).strftime("%Y-%m-%d") if current else ""
            raise Conflict(f"该文书已于{when_text}登记送达，不能重复登记。")
        document.delivered_at, document.delivery_method = when, method
        record_event(document.petition, actor=actor, action="document_delivered",
                     note=f"{document.title}（{document.doc_number}）已送达（{method}）",
                     data={"document": document.pk, "method": method})
        record(actor, Action.UPDATE, document, summary=f"文书送达 {document.doc_number} {document.title}（{method}）",
               data={"delivered_at": when.isoformat(), "delivery_method": method})
    return document


# --- templates ---------------------------------------------------------------------------------


def save_template(template: DocumentTemplate, *, actor: Any) -> DocumentTemplate:
    """Validate and save an admin's template; activating it deactivates the other templates of its kind."""
    validate(template.title, template.body)
    creating = template.pk is None
    with transaction.atomic():
        if template.is_active:
            (DocumentTemplate.objects.filter(kind=template.kind, is_active=True).exclude(pk=template.pk)
             .update(is_active=False))
        template.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        if creating:
            template.version = 1
            template.save()
        else:
            template.version = F("version") + 1
            template.save()
            template.refresh_from_db(fields=["version"])
        record(actor, Action.CREATE if creating else Action.UPDATE, template,
               summary=f"{'新增' if creating else '修改'}文书模板 {template}（第{template.version}版）",
               data={"kind": template.kind, "version": template.version, "is_active": template.is_active})
    return template


def delete_template(template: DocumentTemplate, *, actor: Any) -> None:
    """Delete an inactive template. Documents made from it keep their snapshot of the text."""
    if template.is_active:
        raise DomainError("不能删除正在启用的模板，请先启用同种类的其他模板。")
    with transaction.atomic():
        record(actor, Action.DELETE, template, summary=f"删除文书模板 {template}（第{template.version}版）",
               data={"kind": template.kind, "title": template.title, "body": template.body})
        template.delete()


def restore_default_template(kind: str, *, actor: Any) -> DocumentTemplate:
    """Add the shipped default text of `kind` as a new, active template."""
    name, title, body = defaults.default_for(kind)
    return save_template(DocumentTemplate(kind=kind, name=name, title=title, body=body, is_active=True), actor=actor)


def load_default_templates(model: Any = DocumentTemplate) -> int:
    """Create the default template of every kind that has none (data migration, `manage.py` setup)."""
    created = 0
    for kind, (name, title, body) in defaults.DEFAULTS.items():
        if not model.objects.filter(kind=kind).exists():
            model.objects.create(kind=kind, name=name, title=title, body=body, is_active=True)
            created += 1
    return created


def preview(template: DocumentTemplate, *, fmt: str = "pdf", petition: Petition | None = None,
            office: Unit | None = None) -> bytes:
    """Render `template` without saving anything: against made-up data, or a real matter the caller may see."""
    today = timezone.localdate()
    now = timezone.now()
    if petition is None:
        values = sample_context()
        doc_no = f"{values['office_short_name']}{NUMBER_ABBREVIATIONS[template.kind]}〔{today.year}〕1号"
        values["doc_number"] = doc_no
        number_text, code, office_name = (values["petition"]["number"], values["petition"]["query_code"],
                                          values["office_name"])
    else:
        issuer = office or petition.receiving_unit
        doc_no = f"{office_short_name(issuer)}{NUMBER_ABBREVIATIONS[template.kind]}〔{today.year}〕X号"
        values = build_context(petition_context(petition), petitioner=petitioner_name(petition),
                               office_name=issuer.name, office_short=office_short_name(issuer), number=doc_no,
                               today=today, extra=SAMPLE_EXTRA)
        number_text, code, office_name = petition.number, petition.query_code, issuer.name
    title, blocks = render_text(template.title, template.body, values)
    meta = _meta(office_name, number_text, code, now)
    rendered = RenderedText(title=title, doc_number=doc_no, blocks=blocks, footer=meta.footer)
    return to_docx(rendered, meta) if fmt == "docx" else to_pdf(rendered, meta)
