from __future__ import annotations

import io

import docx
import pypdf

from documents.models import Document


def docx_text(document: Document) -> str:
    with document.docx.open("rb") as fh:
        word = docx.Document(io.BytesIO(fh.read()))
    parts = [p.text for p in word.paragraphs]
    for section in word.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def pdf_reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def pdf_text(document: Document) -> str:
    with document.pdf.open("rb") as fh:
        reader = pdf_reader(fh.read())
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """PDF text without the line breaks of the layout, for phrases that may wrap."""
    return text.replace("\n", "")
