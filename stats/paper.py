"""Typesetting helpers for statistics on paper (DOCX and PDF), taken from the documents app so reports
and bulletins look like the office's other documents: A4 公文 margins, 宋体/仿宋 named on every Word
run through `w:eastAsia`, and Noto CJK SC subsets embedded in PDFs (documents/fonts.py).

The documents app keeps these helpers private for now; they are imported from one place here so a
rename there is a one-line change (see the report: they should be published as public names).
"""

from __future__ import annotations

from docx.shared import RGBColor

from documents import rendering as _rendering

A4_WIDTH = _rendering.A4_WIDTH
A4_HEIGHT = _rendering.A4_HEIGHT
PAGE_MARGINS_MM = _rendering.PAGE_MARGINS_MM
TITLE_PT = _rendering.TITLE_PT
BODY_PT = _rendering.BODY_PT
LINE_PT = _rendering.LINE_PT
PT_TO_MM = _rendering.PT_TO_MM
TITLE_FONT = _rendering.TITLE_FONT
BODY_FONT = _rendering.BODY_FONT
LATIN_FONT = _rendering.LATIN_FONT
HEADING_FONT = "黑体"
TABLE_PT = 10.5
RED = RGBColor(0xC0, 0x00, 0x00)

wrap = _rendering.wrap
run = _rendering._run  # (paragraph, text, *, size, bold, east_asia): a Word run with the Chinese face set
exact_lines = _rendering._exact_lines  # (paragraph, points): fixed line height, no spacing
east_asian = _rendering._east_asian  # (run or style element, face name)
page_field = _rendering._page_field  # (paragraph): a PAGE field
new_pdf = _rendering._pdf  # (footer text) -> FPDF with the footer and page number
add_face = _rendering._add_face  # (pdf, family, style, text, temp_files): embed a subset of the CJK face
