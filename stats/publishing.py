"""A published periodical (信访简报 / 专报 / 信息) as DOCX and PDF: the red masthead with the issue
number, the title, the edited body with its markers replaced by charts and the figures table."""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from docx import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from stats import paper
from stats.drafting import MARKERS, TABLE_FIGURES, Material
from stats.reports import Table

HEADING = re.compile(r"^[一二三四五六七八九十]+、")
CHART_WIDTH_MM = 150


@dataclass(frozen=True)
class Masthead:
    kind_label: str  # 信访简报
    issue: str  # 第3期
    unit_name: str  # 青山区信访局
    date: datetime.date
    title: str

    @property
    def footer(self) -> str:
        return f"{self.kind_label}　{self.date.year}年{self.issue}"

    @property
    def date_text(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"


def blocks(body: str) -> list[tuple[str, str]]:
    """(type, text) for each line of the body: heading, marker or paragraph; blank lines dropped."""
    result = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line in MARKERS:
            result.append(("marker", line))
        elif HEADING.match(line):
            result.append(("heading", line))
        else:
            result.append(("paragraph", line))
    return result


# DOCX ------------------------------------------------------------------------------------------------

def _docx_table(document: Any, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paper.run(paragraph, text, size=paper.TABLE_PT, bold=True, east_asia=paper.HEADING_FONT)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if value.kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            paper.run(paragraph, value.text, size=paper.TABLE_PT)


def _red_rule(paragraph: object) -> None:
    """A red bottom border under the masthead (the 红头 rule)."""
    ppr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def to_docx(head: Masthead, body: str, material: Material) -> bytes:
    document = DocxDocument()
    section = document.sections[0]
    section.page_width, section.page_height = paper.A4_WIDTH, paper.A4_HEIGHT
    margins = paper.PAGE_MARGINS_MM
    section.top_margin, section.bottom_margin = Mm(margins["top"] - 10), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    normal = document.styles["Normal"]
    normal.font.name = paper.LATIN_FONT
    normal.font.size = Pt(paper.BODY_PT)
    paper.east_asian(normal.element, paper.BODY_FONT)

    masthead = document.add_paragraph()
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paper.run(masthead, head.kind_label, size=42, bold=True, east_asia=paper.TITLE_FONT)
    masthead.runs[-1].font.color.rgb = paper.RED
    issue = document.add_paragraph()
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paper.run(issue, head.issue)
    sign = document.add_paragraph()
    sign.paragraph_format.tab_stops.add_tab_stop(Mm(156 - margins["left"] - margins["right"] + 26))
    paper.run(sign, f"{head.unit_name}编\t{head.date_text}", size=14)
    _red_rule(sign)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(paper.LINE_PT / 2)
    paper.exact_lines(title, paper.TITLE_PT * 1.6)
    paper.run(title, head.title, size=paper.TITLE_PT, bold=True, east_asia=paper.TITLE_FONT)

    for kind, text in blocks(body):
        if kind == "marker":
            if text == TABLE_FIGURES and material.table is not None:
                caption = document.add_paragraph()
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paper.run(caption, material.table.title, size=14, bold=True, east_asia=paper.HEADING_FONT)
                _docx_table(document, material.table)
            elif text in material.charts:
                document.add_picture(BytesIO(material.charts[text]), width=Mm(CHART_WIDTH_MM))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            continue
        paragraph = document.add_paragraph()
        paper.exact_lines(paragraph)
        if kind == "heading":
            paper.run(paragraph, text, east_asia=paper.HEADING_FONT)
        else:
            paragraph.paragraph_format.first_line_indent = Pt(paper.BODY_PT * 2)
            paper.run(paragraph, text)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paper.run(footer, f"{head.footer}　第 ", size=10.5)
    paper.page_field(footer)
    paper.run(footer, " 页", size=10.5)
    props = document.core_properties
    props.title = head.title
    props.subject = head.footer
    props.author = head.unit_name
    out = BytesIO()
    document.save(out)
    return out.getvalue()


# PDF -------------------------------------------------------------------------------------------------

def _all_text(head: Masthead, body: str, material: Material) -> str:
    table = material.table
    cells = "".join(c.text for row in table.rows for c in row) + "".join(table.columns) + table.title if table else ""
    return "".join([head.kind_label, head.issue, head.unit_name, "编", head.date_text, head.title, head.footer,
                    body, cells, "0123456789.%+-—第页　"])


def to_pdf(head: Masthead, body: str, material: Material) -> bytes:
    pdf = paper.new_pdf(head.footer)
    temp_files: list[str] = []
    try:
        paper.add_face(pdf, "body", "regular", _all_text(head, body, material), temp_files)
        headings = "".join(t for k, t in blocks(body) if k == "heading")
        bold_text = head.kind_label + head.title + headings + (material.table.title if material.table else "") + \
            ("".join(material.table.columns) if material.table else "")
        paper.add_face(pdf, "title", "bold", bold_text, temp_files)
        margins = paper.PAGE_MARGINS_MM
        pdf.set_margins(margins["left"], margins["top"] - 10, margins["right"])
        pdf.set_auto_page_break(True, margin=margins["bottom"])
        pdf.set_title(head.title)
        pdf.set_subject(head.footer)
        pdf.set_author(head.unit_name)
        pdf.set_creator("xinfang 信访工作平台")
        pdf.set_lang("zh-CN")
        pdf.add_page()
        width = pdf.epw
        line = paper.LINE_PT * paper.PT_TO_MM
        char = paper.BODY_PT * paper.PT_TO_MM

        pdf.set_text_color(192, 0, 0)
        pdf.set_font("title", size=42)
        pdf.cell(width, 42 * paper.PT_TO_MM * 1.4, head.kind_label, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("body", size=paper.BODY_PT)
        pdf.cell(width, line, head.issue, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", size=14)
        pdf.cell(width / 2, line, f"{head.unit_name}编", align="L")
        pdf.cell(width / 2, line, head.date_text, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(192, 0, 0)
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + width, pdf.get_y() + 1)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.ln(line / 2)

        pdf.set_font("title", size=paper.TITLE_PT)
        for text in paper.wrap(pdf, head.title, width):
            pdf.cell(width, paper.TITLE_PT * paper.PT_TO_MM * 1.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        for kind, text in blocks(body):
            if kind == "marker":
                if text == TABLE_FIGURES and material.table is not None:
                    _pdf_table(pdf, material.table, width)
                elif text in material.charts:
                    pdf.image(BytesIO(material.charts[text]), x=pdf.l_margin + (width - CHART_WIDTH_MM) / 2,
                              w=CHART_WIDTH_MM)
                continue
            if kind == "heading":
                pdf.set_font("title", size=paper.BODY_PT)
                for piece in paper.wrap(pdf, text, width):
                    pdf.cell(width, line, piece, new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("body", size=paper.BODY_PT)
                continue
            pdf.set_font("body", size=paper.BODY_PT)
            wrapped = paper.wrap(pdf, text, width - 2 * char)
            pdf.set_x(pdf.l_margin + 2 * char)
            pdf.cell(width - 2 * char, line, wrapped[0], new_x="LMARGIN", new_y="NEXT")
            rest = "".join(wrapped[1:])
            for piece in paper.wrap(pdf, rest, width) if rest else []:
                pdf.cell(width, line, piece, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    finally:
        for path in temp_files:
            try:
                os.unlink(path)
            except OSError:
                pass


def _pdf_table(pdf: object, table: Table, width: float) -> None:
    pdf.set_font("title", size=14)  # type: ignore[attr-defined]
    pdf.cell(width, 10, table.title, align="C", new_x="LMARGIN", new_y="NEXT")  # type: ignore[attr-defined]
    first = width * 0.4
    rest = (width - first) / max(len(table.columns) - 1, 1)
    with pdf.table(col_widths=[first] + [rest] * (len(table.columns) - 1), width=width,  # type: ignore[attr-defined]
                   line_height=6.5, text_align="CENTER", first_row_as_headings=False) as grid:
        pdf.set_font("body", size=paper.TABLE_PT)  # type: ignore[attr-defined]
        header = grid.row()
        for text in table.columns:
            header.cell(text)
        for row in table.rows:
            cells = grid.row()
            for value in row:
                cells.cell(value.text, align="LEFT" if value.kind == "text" else "RIGHT")
    pdf.ln(4)  # type: ignore[attr-defined]
