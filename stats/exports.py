"""A `Report` as an Excel workbook (openpyxl) or a Word document (python-docx), cell for cell the
tables of the report page. Figures stay numbers in Excel and link to their drill-down lists."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from stats import paper
from stats.reports import Cell, Report

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F2E6E6")
NUMBER_FORMATS = {"pct": '0.0"%"', "chg": '+0.0"%";-0.0"%";0.0"%"', "pp": '+0.0;-0.0;0.0', "int": "#,##0"}


def _sheet_name(title: str, used: set[str]) -> str:
    name = title.split("、", 1)[-1]
    for bad in "[]:*?/\\":
        name = name.replace(bad, "")
    name = name[:28] or "表"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:26]}{n}", n + 1
    used.add(candidate)
    return candidate


def to_xlsx(report: Report, *, base_url: str = "") -> bytes:
    book = Workbook()
    cover = book.active
    cover.title = "说明"
    cover["A1"] = report.title
    cover["A1"].font = Font(size=16, bold=True)
    cover["A2"] = report.subtitle
    row = 4
    if report.sentence is not None:
        cover.cell(row=row, column=1, value=report.sentence.text).alignment = Alignment(wrap_text=True)
        row += 2
    for paragraph in report.paragraphs:
        cover.cell(row=row, column=1, value=paragraph).alignment = Alignment(wrap_text=True)
        row += 1
    cover.cell(row=row + 1, column=1, value=f"生成时间：{report.generated_at:%Y-%m-%d %H:%M}")
    cover.column_dimensions["A"].width = 120
    used = {"说明"}
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        sheet.cell(row=1, column=1, value=table.title).font = Font(size=13, bold=True)
        for col, heading in enumerate(table.columns, start=1):
            cell = sheet.cell(row=2, column=col, value=heading)
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, cells in enumerate(table.rows, start=3):
            for col, value in enumerate(cells, start=1):
                _xlsx_cell(sheet.cell(row=r, column=col), value, base_url)
        if table.note:
            sheet.cell(row=len(table.rows) + 4, column=1, value=f"注：{table.note}")
        sheet.column_dimensions["A"].width = 30
        for col in range(2, len(table.columns) + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 14
        sheet.freeze_panes = "B3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(target: Any, value: Cell, base_url: str) -> None:
    if value.kind == "text":
        target.value = value.value or ""
    elif value.value is None:
        target.value = "—"
        target.alignment = Alignment(horizontal="right")
    else:
        target.value = value.value
        target.number_format = NUMBER_FORMATS.get(value.kind, "General")
    if value.url and base_url:
        target.hyperlink = base_url + value.url
        target.font = Font(color="0B5394", underline="single")
    target.border = BOX


def to_docx(report: Report) -> bytes:
    document = DocxDocument()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = paper.A4_HEIGHT, paper.A4_WIDTH
    for side in ("top", "bottom", "left", "right"):
        setattr(section, f"{side}_margin", Mm(20))
    normal = document.styles["Normal"]
    normal.font.name = paper.LATIN_FONT
    normal.font.size = Pt(paper.TABLE_PT)
    paper.east_asian(normal.element, paper.BODY_FONT)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paper.run(title, report.title, size=paper.TITLE_PT, bold=True, east_asia=paper.TITLE_FONT)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paper.run(subtitle, report.subtitle, size=12)
    texts = ([report.sentence.text] if report.sentence is not None else []) + report.paragraphs
    for text in dict.fromkeys(texts):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(28)
        paper.run(paragraph, text, size=14)
    for table in report.tables:
        heading = document.add_paragraph()
        heading.paragraph_format.space_before = Pt(12)
        paper.run(heading, table.title, size=14, bold=True, east_asia=paper.HEADING_FONT)
        grid = document.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            paper.run(cell.paragraphs[0], text, size=paper.TABLE_PT, bold=True, east_asia=paper.HEADING_FONT)
        for row in table.rows:
            for cell, value in zip(grid.add_row().cells, row, strict=True):
                paragraph = cell.paragraphs[0]
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if value.kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
                paper.run(paragraph, value.text, size=paper.TABLE_PT)
        if table.note:
            note = document.add_paragraph()
            paper.run(note, f"注：{table.note}", size=9)
    props = document.core_properties
    props.title = report.title
    props.author = report.scope.unit.name
    out = BytesIO()
    document.save(out)
    return out.getvalue()
