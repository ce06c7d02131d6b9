"""Laying out a rendered document as DOCX (python-docx) and PDF (fpdf2), on A4 in the 公文 style.

Page: A4, margins 37/26/35/28 mm (GB/T 9704). Title 二号 (22 pt) bold and centred; 文号 and body
三号 (16 pt) with a fixed 28 pt line; body paragraphs indented two characters; signature right-aligned.
Word gets the customary faces by name (宋体 title, 仿宋 body, Times New Roman for Latin) with the
`w:eastAsia` attribute set on every run so Chinese text uses them; the PDF embeds Noto CJK SC subsets.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph

from documents import fonts
from documents.templating import CENTER, FLUSH, INDENT, RIGHT, RenderedText

if TYPE_CHECKING:
    from fpdf import FPDF

A4_WIDTH, A4_HEIGHT = Twips(11906), Twips(16838)  # 210 × 297 mm, as Word stores A4
PAGE_MARGINS_MM = {"top": 37, "right": 26, "bottom": 35, "left": 28}
TITLE_PT = 22
BODY_PT = 16
FOOTER_PT = 10.5
LINE_PT = 28
PT_TO_MM = 25.4 / 72
TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
# Characters that may not start a line (避头) or end one (避尾) in Chinese typesetting.
NO_LINE_START = set("，。、；：？！）》」』】〕”’,.;:?!)]}%…—·")
NO_LINE_END = set("（《「『【〔“‘([{")
DIGITS = "0123456789"


@dataclass(frozen=True)
class Meta:
    office_name: str
    created_at: datetime.datetime  # aware
    petition_number: str
    query_code: str

    @property
    def footer(self) -> str:
        return f"事项编号：{self.petition_number}　查询码：{self.query_code}"


# --- DOCX ------------------------------------------------------------------------------------


def east_asian(run_or_style_element: object, east_asia: str) -> None:
    """Name the Chinese face (宋体, 仿宋 …) on a Word run or style element through `w:eastAsia`."""
    element = run_or_style_element
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts_element = rpr.find(qn("w:rFonts"))
    if fonts_element is None:
        fonts_element = OxmlElement("w:rFonts")
        rpr.insert(0, fonts_element)
    fonts_element.set(qn("w:ascii"), LATIN_FONT)
    fonts_element.set(qn("w:hAnsi"), LATIN_FONT)
    fonts_element.set(qn("w:eastAsia"), east_asia)


def run(paragraph: Paragraph, text: str, *, size: float = BODY_PT, bold: bool = False,
        east_asia: str = BODY_FONT) -> None:
    """Add a run of `text` with the Latin and the Chinese face set (Word would otherwise pick its own)."""
    added = paragraph.add_run(text)
    added.font.size = Pt(size)
    added.font.bold = bold
    added.font.name = LATIN_FONT
    east_asian(added._r, east_asia)


def exact_lines(paragraph: Paragraph, points: float = LINE_PT) -> None:
    """Fixed line height (公文 use exact 28 pt lines) and no space before or after."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def page_field(paragraph: Paragraph) -> None:
    """A PAGE field (the page number), as Word writes it: begin, instruction, separate, result, end."""
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        added = paragraph.add_run()
        added.font.size = Pt(FOOTER_PT)
        added.font.name = LATIN_FONT
        east_asian(added._r, BODY_FONT)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        added._r.append(element)


def to_docx(doc: RenderedText, meta: Meta) -> bytes:
    document = DocxDocument()
    section = document.sections[0]
    section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
    section.top_margin, section.bottom_margin = Mm(PAGE_MARGINS_MM["top"]), Mm(PAGE_MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE_MARGINS_MM["left"]), Mm(PAGE_MARGINS_MM["right"])

    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    east_asian(normal.element, BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    exact_lines(title, TITLE_PT * 1.6)
    run(title, doc.title, size=TITLE_PT, bold=True, east_asia=TITLE_FONT)

    if doc.doc_number:
        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        exact_lines(number)
        number.paragraph_format.space_after = Pt(LINE_PT / 2)
        run(number, doc.doc_number)

    previous = ""
    for block in doc.blocks:
        paragraph = document.add_paragraph()
        exact_lines(paragraph)
        fmt = paragraph.paragraph_format
        if block.align == INDENT:
            fmt.first_line_indent = Pt(BODY_PT * 2)
            ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
            ind.set(qn("w:firstLineChars"), "200")
        elif block.align == CENTER:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.align == RIGHT:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.right_indent = Pt(BODY_PT * 2)
            if previous != RIGHT:
                fmt.space_before = Pt(LINE_PT * 2)
        for index, line in enumerate(block.lines):
            if index:
                paragraph.runs[-1].add_break()
            run(paragraph, line)
        previous = block.align

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(footer, f"{meta.footer}　第 ", size=FOOTER_PT)
    page_field(footer)
    run(footer, " 页", size=FOOTER_PT)

    props = document.core_properties
    props.title = doc.title
    props.subject = doc.doc_number
    props.author = meta.office_name
    props.last_modified_by = meta.office_name
    props.comments = meta.footer
    props.created = props.modified = meta.created_at.astimezone(datetime.UTC).replace(tzinfo=None)
    props.revision = 1

    out = BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def new_pdf(footer_text: str) -> FPDF:
    """An A4 FPDF (millimetres) whose every page ends with `footer_text` and the page number; the
    caller embeds the faces it uses with `add_face` first (the footer is set in "body")."""
    # fpdf2 takes about half a second to import; load it when the first PDF is made, not at startup.
    from fpdf import FPDF

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-PAGE_MARGINS_MM["bottom"] + 12)
            self.set_font("body", size=FOOTER_PT)
            self.cell(0, FOOTER_PT * PT_TO_MM * 1.5, f"{footer_text}　第 {self.page_no()} 页", align="C")

    return _Pdf(format="A4", unit="mm")


def _latin(char: str) -> bool:
    return char.isascii() and char.isprintable() and not char.isspace()


def _units(text: str) -> list[str]:
    """Break opportunities: every CJK character; runs of Latin letters, digits and signs (a matter number
    like K349902-XFJ-2026-000123) stay whole; punctuation sticks to its neighbour so no line starts
    with a closing mark or ends with an opening one."""
    units: list[str] = []
    for char in text:
        if units and (
            (_latin(char) and _latin(units[-1][-1]))
            or char in NO_LINE_START
            or units[-1][-1] in NO_LINE_END
        ):
            units[-1] += char
        else:
            units.append(char)
    return units


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for unit in _units(text):
        candidate = current + unit
        if current and pdf.get_string_width(candidate) > width:
            lines.append(current.rstrip(" "))
            current = unit.lstrip(" ")
            while pdf.get_string_width(current) > width and len(current) > 1:  # a unit wider than the line
                cut = len(current) - 1
                while cut > 1 and pdf.get_string_width(current[:cut]) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        else:
            current = candidate
    lines.append(current.rstrip(" "))
    return lines


def add_face(pdf: FPDF, family: str, style: str, text: str, temp_files: list[str]) -> None:
    """Embed, as `family`, the subset of the Noto CJK face `style` that `text` needs; the subset's
    temporary file is appended to `temp_files` for the caller to remove after output."""
    data = fonts.face(style).subset_font(text)
    handle, path = tempfile.mkstemp(suffix=".ttf", prefix="xinfang-font-")
    with os.fdopen(handle, "wb") as fh:
        fh.write(data)
    temp_files.append(path)
    pdf.add_font(family, fname=path)
    # Our subset's glyph headers already carry their bounding boxes: spare fpdf2 decoding and
    # re-encoding every outline when it writes the font (most of the PDF time otherwise).
    pdf.fonts[family.lower()].ttfont.recalcBBoxes = False


def to_pdf(doc: RenderedText, meta: Meta) -> bytes:
    pdf = new_pdf(meta.footer)
    temp_files: list[str] = []
    try:
        body_chars = doc.all_characters() + meta.footer + DIGITS + "第页　"
        add_face(pdf, "body", "regular", body_chars, temp_files)
        add_face(pdf, "title", "bold", doc.title, temp_files)
        pdf.set_margins(PAGE_MARGINS_MM["left"], PAGE_MARGINS_MM["top"], PAGE_MARGINS_MM["right"])
        pdf.set_auto_page_break(True, margin=PAGE_MARGINS_MM["bottom"])
        pdf.set_title(doc.title)
        pdf.set_subject(doc.doc_number)
        pdf.set_author(meta.office_name)
        pdf.set_creator("xinfang 信访工作平台")
        pdf.set_keywords(meta.footer)
        pdf.set_lang("zh-CN")
        pdf.set_creation_date(meta.created_at)
        pdf.add_page()

        line = LINE_PT * PT_TO_MM
        char = BODY_PT * PT_TO_MM
        width = pdf.epw
        pdf.set_font("title", size=TITLE_PT)
        for text in wrap(pdf, doc.title, width):
            pdf.cell(width, TITLE_PT * PT_TO_MM * 1.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", size=BODY_PT)
        if doc.doc_number:
            pdf.cell(width, line, doc.doc_number, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(line / 2)

        previous = ""
        for block in doc.blocks:
            if block.align == RIGHT and previous != RIGHT:
                pdf.ln(line * 2)
            for index, raw in enumerate(block.lines):
                if block.align == INDENT and index == 0:
                    wrapped = wrap(pdf, raw, width - 2 * char)
                    first, rest = wrapped[0], wrapped[1:]
                    pdf.set_x(pdf.l_margin + 2 * char)
                    pdf.cell(width - 2 * char, line, first, new_x="LMARGIN", new_y="NEXT")
                    for text in wrap(pdf, "".join(rest), width) if rest else []:
                        pdf.cell(width, line, text, new_x="LMARGIN", new_y="NEXT")
                elif block.align == RIGHT:
                    for text in wrap(pdf, raw, width - 2 * char):
                        pdf.cell(width - 2 * char, line, text, align="R", new_x="LMARGIN", new_y="NEXT")
                else:
                    align = "C" if block.align == CENTER else "L"  # FLUSH, and later lines of an indented block
                    for text in wrap(pdf, raw, width):
                        pdf.cell(width, line, text, align=align, new_x="LMARGIN", new_y="NEXT")
            previous = block.align
        return bytes(pdf.output())
    finally:
        for path in temp_files:
            try:
                os.unlink(path)
            except OSError:
                pass


__all__ = ["CENTER", "FLUSH", "INDENT", "RIGHT", "Meta", "add_face", "east_asian", "exact_lines", "new_pdf",
           "page_field", "run", "to_docx", "to_pdf", "wrap"]
