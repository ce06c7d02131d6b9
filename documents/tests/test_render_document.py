"""render_document: every kind renders to real DOCX and PDF with the matter number and query code."""

from __future__ import annotations

import datetime
import io
import re

import docx
import pytest
import time_machine
from django.utils import timezone
from docx.oxml.ns import qn

from audit.models import Action, AuditEntry
from core.errors import DomainError
from documents import services
from documents.choices import NUMBER_ABBREVIATIONS, DocumentKind
from documents.fonts import FONT_PACKAGE, FontMissing
from documents.models import Document, DocumentTemplate
from documents.services import render_document
from petitions.models import Event
from xinfang.testing import make_petition

from .helpers import docx_text, flat, pdf_reader, pdf_text

pytestmark = pytest.mark.django_db

# A phrase of each kind's default text, checked in both files.
KIND_PHRASES = {
    DocumentKind.ACCEPTANCE_NOTICE: "决定予以受理",
    DocumentKind.DECLINE_NOTICE: "决定不予受理",
    DocumentKind.ROUTE_NOTICE: "法定途径解决",
    DocumentKind.TRANSFER_SLIP: "转送你单位",
    DocumentKind.ASSIGNMENT_SLIP: "交由你单位办理",
    DocumentKind.EXTENSION_NOTICE: "办理期限延长30日",
    DocumentKind.REPLY_LETTER: "书面请求复查",
    DocumentKind.REVIEW_DECISION: "书面请求复核",
    DocumentKind.FINAL_REVIEW_DECISION: "不再受理",
    DocumentKind.SUPERVISION_ORDER: "现予督办",
    DocumentKind.OBJECTION_LETTER: "提出异议",
    DocumentKind.NOT_ACCEPTED_NOTICE: "不再受理",
    DocumentKind.GENERIC: "示例正文",
}
TITLES = {
    DocumentKind.ACCEPTANCE_NOTICE: "信访事项受理告知书",
    DocumentKind.DECLINE_NOTICE: "信访事项不予受理告知书",
    DocumentKind.ROUTE_NOTICE: "信访事项告知书",
    DocumentKind.TRANSFER_SLIP: "信访事项转送单",
    DocumentKind.ASSIGNMENT_SLIP: "信访事项交办单",
    DocumentKind.EXTENSION_NOTICE: "信访事项延期办理告知书",
    DocumentKind.REPLY_LETTER: "信访处理意见书",
    DocumentKind.REVIEW_DECISION: "信访事项复查意见书",
    DocumentKind.FINAL_REVIEW_DECISION: "信访事项复核意见书",
    DocumentKind.SUPERVISION_ORDER: "信访事项督办通知",
    DocumentKind.OBJECTION_LETTER: "关于信访事项转送异议的函",
    DocumentKind.NOT_ACCEPTED_NOTICE: "信访事项不再受理告知书",
    DocumentKind.GENERIC: "告知书",
}


def test_the_phrase_and_title_tables_cover_every_kind():
    assert set(KIND_PHRASES) == set(DocumentKind.values) == set(TITLES) == set(NUMBER_ABBREVIATIONS)


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_every_kind_renders_to_docx_and_pdf_with_number_and_query_code(cast, kind):
    petition = make_petition(cast.county_bureau, actor=cast.officer, name="李四")
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, 0, tzinfo=datetime.UTC), tick=False):
        document = render_document(petition, kind, actor=cast.officer, context={"text": "示例正文。"})

    assert document.kind == kind
    assert document.title == TITLES[kind]
    assert document.doc_number == f"青信{NUMBER_ABBREVIATIONS[kind]}〔2026〕1号"
    assert document.docx.name == f"documents/2026/{petition.pk}/{document.pk}-{kind}.docx"
    assert document.pdf.name == f"documents/2026/{petition.pk}/{document.pk}-{kind}.pdf"

    word = docx_text(document)
    assert TITLES[kind] in word
    assert document.doc_number in word
    assert petition.number in word
    assert petition.query_code in word
    assert KIND_PHRASES[kind] in word
    assert "青山区信访局" in word and "2026年3月9日" in word

    pdf = pdf_text(document)
    assert TITLES[kind] in pdf
    assert document.doc_number in pdf
    assert petition.number in pdf
    assert petition.query_code in pdf
    assert KIND_PHRASES[kind] in flat(pdf)
    assert "2026年3月9日" in pdf
    assert KIND_PHRASES[kind] in document.text


def test_petitioner_documents_address_the_petitioner_and_slips_address_the_unit(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer, name="李四")
    notice = render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer, for_petitioner=True)
    slip = render_document(petition, DocumentKind.TRANSFER_SLIP, actor=cast.officer,
                           context={"handling_unit": cast.unit_b, "note": "请依法办理。"})
    assert docx_text(notice).split("\n")[2] == "李四："
    assert notice.for_petitioner is True and slip.for_petitioner is False
    slip_lines = docx_text(slip).split("\n")
    assert slip_lines[2] == "青山区住房和城乡建设局："
    assert "转送意见：请依法办理。" in slip_lines
    assert slip.data == {"handling_unit": "青山区住房和城乡建设局", "note": "请依法办理。"}


def test_reply_letter_has_the_four_parts_and_the_review_notice(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.REPLY_LETTER, actor=cast.handler_b, context={
        "complaint": "请求维修楼道。", "facts": "经现场核查，屋面防水层老化。", "opinion": "不予支持",
        "opinion_text": "维修责任在业主委员会。", "legal_basis": "《物业管理条例》第五十五条",
        "review_body": "青山区人民政府", "review_deadline": 30,
    })
    lines = docx_text(document).split("\n")
    for heading in ("一、投诉请求", "二、事实和理由", "三、处理意见", "四、法律法规依据"):
        assert heading in lines
    assert "请求维修楼道。" in lines
    assert "你（们）的请求缺乏事实根据或者不符合法律、法规、规章或者其他有关规定，本机关不予支持。维修责任在业主委员会。" in lines
    assert "《物业管理条例》第五十五条" in lines
    assert "如你（们）对本处理意见不服，可以自收到本意见书之日起30日内，向青山区人民政府书面请求复查。" in lines
    assert document.office == cast.unit_b  # the actor's unit issues it
    assert document.doc_number.startswith("青山复〔")


@pytest.mark.parametrize(("opinion", "sentence"), [
    ("支持", "本机关予以支持。"), ("解释说明", "本机关作如下解释说明。"), ("不予支持", "本机关不予支持。"),
])
def test_reply_letter_states_each_of_the_three_opinions(cast, opinion, sentence):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.REPLY_LETTER, actor=cast.officer,
                               context={"opinion": opinion})
    assert sentence in document.text


def test_review_and_final_review_decisions_name_the_next_step(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    review = render_document(petition, DocumentKind.REVIEW_DECISION, actor=cast.city_officer,
                             context={"review_body": "青川市人民政府", "outcome": "维持原处理意见"})
    final = render_document(petition, DocumentKind.FINAL_REVIEW_DECISION, actor=cast.city_officer)
    assert "可以自收到本意见书之日起30日内，向青川市人民政府书面请求复核。" in review.text
    assert "维持原处理意见。" in review.text
    assert "该信访事项的信访程序至此终结" in final.text
    assert "仍以同一事实和理由提出投诉请求的，各级党委和政府信访部门和其他机关、单位不再受理" in final.text


def test_docx_is_a4_with_east_asian_fonts_centred_bold_title_and_indented_body(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    with document.docx.open("rb") as fh:
        word = docx.Document(io.BytesIO(fh.read()))
    section = word.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    title, number, addressee, first = word.paragraphs[:4]
    assert title.alignment == 1 and number.alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].bold is True
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    for paragraph in word.paragraphs:
        for run in paragraph.runs:
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) in ("宋体", "仿宋")
    assert addressee.paragraph_format.first_line_indent is None
    assert first.paragraph_format.first_line_indent is not None
    assert first._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    signature = word.paragraphs[-1]
    assert signature.alignment == 2  # RIGHT
    assert signature.text.startswith("青山区信访局")
    assert word.core_properties.title == "信访事项受理告知书"
    assert word.core_properties.author == "青山区信访局"


def test_pdf_embeds_simplified_chinese_truetype_subsets(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    with document.pdf.open("rb") as fh:
        reader = pdf_reader(fh.read())
    assert reader.metadata.title == "信访事项受理告知书"
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert descendant["/Subtype"] == "/CIDFontType2"
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
        assert "CJKSC" in str(font["/BaseFont"])  # the Simplified Chinese face, not face 0 (Japanese)
        assert "/ToUnicode" in font


def test_event_and_audit_are_written_with_the_document(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    before = Event.objects.filter(petition=petition).count()
    document = render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    events = list(Event.objects.filter(petition=petition).order_by("id"))
    assert len(events) == before + 1
    event = events[-1]
    assert (event.action, event.note, event.data, event.actor) == (
        "document", "信访事项受理告知书", {"document": document.pk}, cast.officer)
    entry = AuditEntry.objects.get(action=Action.CREATE, object_type="documents.document", object_id=str(document.pk))
    assert entry.actor == cast.officer
    assert entry.summary == f"生成文书 {document.doc_number} 信访事项受理告知书（{petition.number}）"
    assert document.created_by == cast.officer
    template = DocumentTemplate.objects.get(kind=DocumentKind.ACCEPTANCE_NOTICE, is_active=True)
    assert (document.template, document.template_version) == (template, template.version)
    assert document.template_source == f"{template.title}\n\n{template.body}"


def test_office_defaults_to_actor_unit_then_receiving_unit_and_can_be_given(cast):
    petition = make_petition(cast.town_a, actor=cast.desk_a)
    by_officer = render_document(petition, DocumentKind.GENERIC, actor=cast.officer)
    by_system = render_document(petition, DocumentKind.GENERIC, actor=None)
    given = render_document(petition, DocumentKind.GENERIC, actor=cast.officer, office=cast.city_bureau)
    assert by_officer.office == cast.county_bureau
    assert by_system.office == cast.town_a and by_system.created_by is None
    assert given.office == cast.city_bureau
    assert given.doc_number.startswith("青信函〔")  # "青川市信访局" → 青 + 信
    assert "青川市信访局" in given.text


def test_unit_short_name_is_used_for_the_number(cast):
    cast.county_bureau.short_name = "青山信访"
    cast.county_bureau.save()
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.TRANSFER_SLIP, actor=cast.officer)
    year = timezone.localdate().year
    assert document.doc_number == f"青山信访转〔{year}〕1号"


def test_collective_and_anonymous_matters_are_addressed_properly(cast):
    group = make_petition(cast.county_bureau, actor=cast.officer, name="王五", headcount=8)
    anonymous = make_petition(cast.county_bureau, actor=cast.officer)
    anonymous.anonymous = True
    anonymous.save(update_fields=["anonymous"])
    assert docx_text(render_document(group, "acceptance_notice", actor=cast.officer)).split("\n")[2] == "王五等8人："
    assert docx_text(render_document(anonymous, "acceptance_notice", actor=cast.officer)).split("\n")[2] == "信访人："


def test_caller_cannot_override_what_identifies_the_document(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.GENERIC, actor=cast.officer, context={
        "doc_number": "伪造〔1999〕1号", "petition": {"number": "X"}, "office_name": "别的单位",
        "text": "编号{{ petition.number }}",
    })
    assert document.doc_number.startswith("青信函〔")
    assert "伪造" not in document.text and "别的单位" not in document.text
    # Context values are data, never template code.
    assert "编号{{ petition.number }}" in document.text


def test_unknown_kind_and_missing_template_are_clear_errors(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    with pytest.raises(DomainError) as unknown:
        render_document(petition, "memo", actor=cast.officer)
    assert unknown.value.message == "未知的文书种类：memo。"
    DocumentTemplate.objects.filter(kind=DocumentKind.DECLINE_NOTICE).update(is_active=False)
    with pytest.raises(DomainError) as missing:
        render_document(petition, DocumentKind.DECLINE_NOTICE, actor=cast.officer)
    assert missing.value.message == "“不予受理告知书”没有启用的文书模板，请管理员在“系统管理 → 文书模板”中启用一个模板。"
    assert not Document.objects.exists()


def test_failure_after_files_were_written_removes_them_and_saves_nothing(cast, monkeypatch, media_root):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    events_before = Event.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(RuntimeError):
        render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    assert not Document.objects.exists()
    assert Event.objects.count() == events_before
    assert [p for p in media_root.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    document = render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    assert re.fullmatch(r"青信受〔\d{4}〕1号", document.doc_number)  # the failed attempt took no number


def test_missing_font_names_the_package_and_saves_nothing(cast, no_fonts, media_root):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    with pytest.raises(FontMissing) as exc:
        render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    assert FONT_PACKAGE == "fonts-noto-cjk"
    assert exc.value.message == (
        "服务器缺少中文字体，无法生成 PDF 文书。请由系统管理员安装 Debian 软件包 fonts-noto-cjk"
        "（apt-get install -y fonts-noto-cjk）后重试。"
    )
    assert exc.value.status == 503
    assert not Document.objects.exists()
    assert [p for p in media_root.rglob("*") if p.is_file()] == []
