"""Typesetting for statistics on paper (DOCX and PDF), from the documents app so reports and bulletins
look like the office's other documents: A4 公文 margins, 宋体/仿宋 named on every Word run through
`w:eastAsia`, and Noto CJK SC subsets embedded in PDFs (documents/fonts.py). Statistics' own sizes
and colours are added here.
"""

from __future__ import annotations

from docx.shared import RGBColor

from documents.rendering import (
    A4_HEIGHT,
    A4_WIDTH,
    BODY_FONT,
    BODY_PT,
    LATIN_FONT,
    LINE_PT,
    PAGE_MARGINS_MM,
    PT_TO_MM,
    TITLE_FONT,
    TITLE_PT,
    add_face,
    east_asian,
    exact_lines,
    new_pdf,
    page_field,
    run,
    wrap,
)

HEADING_FONT = "黑体"
TABLE_PT = 10.5
RED = RGBColor(0xC0, 0x00, 0x00)

__all__ = ["A4_HEIGHT", "A4_WIDTH", "BODY_FONT", "BODY_PT", "HEADING_FONT", "LATIN_FONT", "LINE_PT",
           "PAGE_MARGINS_MM", "PT_TO_MM", "RED", "TABLE_PT", "TITLE_FONT", "TITLE_PT", "add_face", "east_asian",
           "exact_lines", "new_pdf", "page_field", "run", "wrap"]
