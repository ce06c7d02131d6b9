"""PDF line breaking for Chinese: nothing lost, every line fits, no line opens with closing punctuation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents import rendering
from documents.rendering import NO_LINE_END, NO_LINE_START, wrap

ALPHABET = "信访事项受理告知书青山区住建局你们反映的问题已收悉" + "，。、；：？！（）《》“”" + "AB12xyz-"
WIDTH = 60.0  # mm, narrower than a page so texts wrap often


@pytest.fixture(scope="module")
def pdf():
    document = rendering.new_pdf("footer")
    temp: list[str] = []
    rendering.add_face(document, "body", "regular", ALPHABET + "事项编号查询码KXFJ0123456789QCMP", temp)
    document.set_font("body", size=rendering.BODY_PT)
    yield document
    import os

    for path in temp:
        os.unlink(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=120))
def test_wrap_keeps_every_character_and_fits(pdf, text):
    lines = wrap(pdf, text, WIDTH)
    assert "".join(lines) == text
    for line in lines:
        assert pdf.get_string_width(line) <= WIDTH + 1e-6 or len(line) == 1
    for previous, line in zip(lines, lines[1:], strict=False):
        if line and previous and len(previous) > 1:
            assert line[0] not in NO_LINE_START
            assert previous[-1] not in NO_LINE_END


@pytest.mark.parametrize("width", [80, 100, 120, 140])
def test_matter_numbers_and_codes_are_not_split_when_they_fit(pdf, width):
    text = "事项编号：K349902-XFJ-2026-000123，查询码 QC7K2M9PXA。" * 3
    lines = wrap(pdf, text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert not line.startswith(("XFJ", "2026", "000123", "-", "C7K2", "，", "。"))
        assert not line.endswith(("K349902", "XFJ", "-"))
