from __future__ import annotations

import io

from fontTools.ttLib import TTFont

from documents import fonts


def test_the_simplified_chinese_face_of_the_collection_is_chosen():
    source = fonts.locate(fonts.FONT_CANDIDATES["regular"])
    assert source is not None
    assert source.family == "Noto Serif CJK SC"
    assert source.index == 2  # JP, KR, SC, TC, HK in Debian's NotoSerifCJK-Regular.ttc


def test_subset_is_truetype_with_just_the_needed_glyphs():
    data = fonts.face("regular").subset_font("信访事项AB1")
    font = TTFont(io.BytesIO(data))
    assert "glyf" in font and "CFF " not in font
    assert set(font.getBestCmap()) == {ord(c) for c in "信访事项AB1 "}
    assert len(font.getGlyphOrder()) == 9  # .notdef, space and the 7 characters
    assert font["head"].unitsPerEm == 1000
    for name in font.getGlyphOrder()[1:]:
        if name != font.getBestCmap()[0x20]:
            assert font["glyf"][name].numberOfContours > 0  # real outlines, converted from CFF


def test_characters_the_font_lacks_are_left_out():
    font = TTFont(io.BytesIO(fonts.face("regular").subset_font("信\U0001fae8")))
    assert set(font.getBestCmap()) == {ord("信"), 0x20}


def test_locate_skips_missing_and_broken_files(tmp_path):
    broken = tmp_path / "broken.ttc"
    broken.write_bytes(b"not a font")
    assert fonts.locate([str(tmp_path / "missing.ttc"), str(broken)]) is None
    good = fonts.FONT_CANDIDATES["regular"][0]
    assert fonts.locate([str(broken), good]).path == good


def test_bold_falls_back_to_regular(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_CANDIDATES", {"regular": fonts.FONT_CANDIDATES["regular"],
                                                   "bold": [str(tmp_path / "none.ttc")]})
    fonts.reset()
    try:
        assert fonts.face("bold").source == fonts.face("regular").source
    finally:
        monkeypatch.undo()
        fonts.reset()
