"""How long one document takes to render (DOCX + PDF), cold and warm, against a naive baseline.

Run: `.venv/bin/python -m documents.bench [--rounds N]`. Prints a table and writes
bench/results/documents_render.json. No database is touched: it renders the default reply letter
(the longest default) with the made-up sample data, which is what a user waits for interactively;
the database part of render_document (one sequence, three INSERTs) is negligible next to it.

Baseline: fpdf2 given the Noto .ttc directly (what one would write first). It is not a usable
alternative (it picks the Japanese face and embeds CFF outlines as TrueType, which poppler flags),
but it shows what our per-document font subsetting costs or saves.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run(rounds: int) -> dict[str, Any]:
    _setup()
    from django.utils import timezone
    from fpdf import FPDF

    from documents import fonts
    from documents.choices import DocumentKind
    from documents.defaults import DEFAULTS
    from documents.rendering import Meta, to_docx, to_pdf
    from documents.samples import sample_context
    from documents.templating import RenderedText, render_text

    _, title_source, body_source = DEFAULTS[DocumentKind.REPLY_LETTER]
    context = sample_context()

    def render() -> tuple[RenderedText, Meta]:
        title, blocks = render_text(title_source, body_source, context)
        meta = Meta("青山区信访局", timezone.now(), context["petition"]["number"], context["petition"]["query_code"])
        return RenderedText(title, context["doc_number"], blocks, meta.footer), meta

    fonts.reset()
    start = time.perf_counter()
    doc, meta = render()
    to_docx(doc, meta)
    to_pdf(doc, meta)
    cold = time.perf_counter() - start

    text_t, docx_t, pdf_t, total_t, naive_t = [], [], [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        doc, meta = render()
        t1 = time.perf_counter()
        to_docx(doc, meta)
        t2 = time.perf_counter()
        to_pdf(doc, meta)
        t3 = time.perf_counter()
        text_t.append(t1 - t0)
        docx_t.append(t2 - t1)
        pdf_t.append(t3 - t2)
        total_t.append(t3 - t0)

        source = fonts.face("regular").source
        t4 = time.perf_counter()
        pdf = FPDF()
        pdf.add_font("naive", fname=source.path)
        pdf.add_page()
        pdf.set_font("naive", size=16)
        pdf.multi_cell(0, 10, doc.plain)
        pdf.output()
        naive_t.append(time.perf_counter() - t4)

    rows = {
        "cold first document (font open + DOCX + PDF)": _ms(cold),
        "template text (median)": _ms(statistics.median(text_t)),
        "DOCX (median)": _ms(statistics.median(docx_t)),
        "PDF (median)": _ms(statistics.median(pdf_t)),
        "DOCX + PDF, warm (median)": _ms(statistics.median(total_t)),
        "DOCX + PDF, warm (max)": _ms(max(total_t)),
        "baseline: fpdf2 with the .ttc, PDF only (median)": _ms(statistics.median(naive_t)),
    }
    ratio = round(statistics.median(pdf_t) / statistics.median(naive_t), 2)
    return {"benchmark": "documents_render", "rounds": rounds, "unit": "ms", "results": rows,
            "pdf_vs_baseline_ratio": ratio, "characters": len(doc.plain)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--out", default="bench/results/documents_render.json")
    args = parser.parse_args()
    result = run(args.rounds)
    width = max(len(k) for k in result["results"])
    print(f"{'measure':<{width}}  ms")
    for key, value in result["results"].items():
        print(f"{key:<{width}}  {value:>8}")
    print(f"{'PDF time ÷ baseline':<{width}}  {result['pdf_vs_baseline_ratio']:>8}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
