"""Chinese fonts for PDF documents, from Debian's `fonts-noto-cjk` package, offline.

Why not hand the .ttc to fpdf2 directly: fpdf2 2.8 always opens face 0 of a collection (Noto's
Japanese face, whose glyph shapes differ from Simplified Chinese), and it embeds every font as a
TrueType CID font (FontFile2). Noto CJK has CFF (PostScript) outlines, so the result is a
non-conforming PDF ("Mismatch between font type and embedded font file" in poppler) that some
readers refuse. So, per document:

1. open the Simplified Chinese face ("Noto Serif CJK SC") of the collection once per process;
2. take only the glyphs the document uses, convert their cubic CFF outlines to quadratic
   TrueType outlines with fontTools' cu2qu (converted glyphs are cached, so common characters
   cost nothing after the first documents);
3. build a small TrueType font from them with fontTools' FontBuilder and give that to fpdf2,
   which embeds it as a proper CID TrueType subset with a ToUnicode map (text stays extractable).

Everything is pure Python (fontTools ships with fpdf2) and needs no network. The search paths
cover Debian/Ubuntu, Fedora and Arch layouts; `settings.DOCUMENT_FONTS = {"regular": path,
"bold": path}` overrides them. A missing font is a `FontMissing` error naming the package.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph

from core.errors import DomainError

logger = logging.getLogger("xinfang.documents")
# fpdf2 subsets with fontTools, which logs every table at INFO; that is noise in our logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_PACKAGE = "fonts-noto-cjk"
PREFERRED_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "Source Han Sans SC")
_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/google-noto-cjk", "/usr/share/fonts/noto-cjk",
         "/usr/share/fonts/truetype/noto", "/usr/share/fonts/OTF")
# Serif (宋体-like) first: official papers are set in serif faces; sans is the fallback.
FONT_CANDIDATES: dict[str, list[str]] = {
    "regular": [f"{d}/{name}" for name in ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc") for d in _DIRS],
    "bold": [f"{d}/{name}" for name in ("NotoSerifCJK-Bold.ttc", "NotoSansCJK-Bold.ttc") for d in _DIRS],
}
# Converted outlines kept per face (about 300 bytes each); a year of notices uses far fewer.
GLYPH_CACHE_SIZE = 12000
# cu2qu tolerance in font units (1000 per em): invisible at any print size.
CURVE_TOLERANCE = 1.0


class FontMissing(DomainError):
    code = "font_missing"
    status = 503


@dataclass(frozen=True)
class FontSource:
    path: str
    index: int  # face number inside a .ttc collection; 0 for a single font
    family: str


def _family(font: TTFont) -> str:
    name = font["name"]
    return str(name.getDebugName(16) or name.getDebugName(1) or "")


def locate(candidates: Iterable[str]) -> FontSource | None:
    """The first existing font file of `candidates`, choosing the Simplified Chinese face of a collection."""
    for raw in candidates:
        path = Path(raw)
        if not path.is_file():
            continue
        try:
            if path.suffix.lower() in (".ttc", ".otc"):
                collection = TTCollection(str(path), lazy=True)
                families = [_family(face) for face in collection.fonts]
                collection.close()
                for wanted in PREFERRED_FAMILIES:
                    if wanted in families:
                        return FontSource(str(path), families.index(wanted), wanted)
                return FontSource(str(path), 0, families[0] if families else "")
            font = TTFont(str(path), lazy=True)
            family = _family(font)
            font.close()
            return FontSource(str(path), -1, family)
        except Exception:  # a broken file: try the next candidate
            logger.warning("cannot read font file %s", path, exc_info=True)
    return None


class Face:
    """One opened font face that turns text into a small TrueType font holding just its glyphs."""

    def __init__(self, source: FontSource) -> None:
        self.source = source
        kwargs = {"fontNumber": source.index} if source.index >= 0 else {}
        self.font = TTFont(source.path, lazy=True, **kwargs)
        self.cmap: dict[int, str] = self.font.getBestCmap() or {}
        self.glyph_set = self.font.getGlyphSet()
        self.metrics = self.font["hmtx"].metrics
        self.units_per_em = self.font["head"].unitsPerEm
        self.is_truetype = "glyf" in self.font
        self._glyphs: OrderedDict[str, _GlyphData] = OrderedDict()
        self._lock = threading.Lock()
        os2 = self.font["OS/2"]
        hhea = self.font["hhea"]
        post = self.font["post"]
        self.vertical = {
            "ascent": hhea.ascent, "descent": hhea.descent, "lineGap": hhea.lineGap,
            "typo_ascender": os2.sTypoAscender, "typo_descender": os2.sTypoDescender,
            "typo_line_gap": os2.sTypoLineGap, "win_ascent": os2.usWinAscent, "win_descent": os2.usWinDescent,
            "cap_height": getattr(os2, "sCapHeight", hhea.ascent), "x_height": getattr(os2, "sxHeight", 0),
            "weight": os2.usWeightClass, "strike_pos": os2.yStrikeoutPosition, "strike_size": os2.yStrikeoutSize,
            "underline_pos": post.underlinePosition, "underline_thickness": post.underlineThickness,
        }

    def _glyph(self, name: str) -> _GlyphData:
        """TrueType data of one glyph, converted once and cached."""
        cached = self._glyphs.get(name)
        if cached is not None:
            self._glyphs.move_to_end(name)
            return cached
        pen = TTGlyphPen(None)
        if self.is_truetype:
            self.glyph_set[name].draw(pen)
        else:
            self.glyph_set[name].draw(Cu2QuPen(pen, CURVE_TOLERANCE, reverse_direction=True))
        glyph = pen.glyph()
        data = glyph.compile(None)  # also computes the bounding box into the header
        if glyph.numberOfContours > 0:
            end_points = struct.unpack_from(f">{glyph.numberOfContours}H", data, 10)
            converted = _GlyphData(data, glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax, end_points[-1] + 1,
                                   glyph.numberOfContours)
        else:
            converted = _GlyphData(b"", 0, 0, 0, 0, 0, 0)
        self._glyphs[name] = converted
        if len(self._glyphs) > GLYPH_CACHE_SIZE:
            self._glyphs.popitem(last=False)
        return converted

    def subset_font(self, text: str) -> bytes:
        """A TrueType font with the glyphs of `text` (plus .notdef and space); unknown characters are left out.

        Glyph data is copied as compiled (no re-encoding) and the font-wide numbers are computed
        from the cached glyph headers, so building it costs a few milliseconds.
        """
        chars = {ord(c) for c in text if c not in "\r\n\t"} | {0x20}
        with self._lock:
            cmap = {cp: self.cmap[cp] for cp in sorted(chars) if cp in self.cmap}
            order = [".notdef", *sorted(set(cmap.values()) - {".notdef"})]
            converted = {name: self._glyph(name) for name in order}
            advances = {name: self.metrics[name][0] for name in order}
        v = self.vertical
        builder = FontBuilder(self.units_per_em, isTTF=True)
        font = builder.font
        font.recalcBBoxes = False  # the glyph headers already hold their boxes; see below for the font's
        builder.setupGlyphOrder(order)
        builder.setupCharacterMap(cmap)
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {name: Glyph(g.data) for name, g in converted.items()}
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        inked = [g for g in converted.values() if g.contours]
        head = font["head"]
        head.xMin, head.yMin = min((g.x_min for g in inked), default=0), min((g.y_min for g in inked), default=0)
        head.xMax, head.yMax = max((g.x_max for g in inked), default=0), max((g.y_max for g in inked), default=0)
        maxp = font["maxp"]
        maxp.numGlyphs = len(order)
        maxp.maxPoints = max((g.points for g in inked), default=0)
        maxp.maxContours = max((g.contours for g in inked), default=0)
        builder.setupHorizontalMetrics({name: (advances[name], g.x_min) for name, g in converted.items()})
        builder.setupHorizontalHeader(
            ascent=v["ascent"], descent=v["descent"], lineGap=v["lineGap"], advanceWidthMax=max(advances.values()),
            minLeftSideBearing=head.xMin,
            minRightSideBearing=min((advances[n] - g.x_max for n, g in converted.items() if g.contours), default=0),
            xMaxExtent=head.xMax,
        )
        family = (self.source.family or "CJK").replace(" ", "")
        style = "Bold" if v["weight"] >= 600 else "Regular"
        builder.setupNameTable({"familyName": self.source.family or "CJK", "styleName": style,
                                "fullName": f"{family}-{style}", "psName": f"{family}-{style}"}, mac=False)
        builder.setupOS2(
            sTypoAscender=v["typo_ascender"], sTypoDescender=v["typo_descender"], sTypoLineGap=v["typo_line_gap"],
            usWinAscent=v["win_ascent"], usWinDescent=v["win_descent"], sCapHeight=v["cap_height"],
            sxHeight=v["x_height"], usWeightClass=v["weight"], yStrikeoutPosition=v["strike_pos"],
            yStrikeoutSize=v["strike_size"], fsType=0,
            xAvgCharWidth=round(sum(advances.values()) / len(advances)),
            usFirstCharIndex=min(cmap, default=0x20), usLastCharIndex=min(max(cmap, default=0x20), 0xFFFF),
        )
        builder.setupPost(underlinePosition=v["underline_pos"], underlineThickness=v["underline_thickness"])
        out = BytesIO()
        builder.save(out)
        return out.getvalue()


@dataclass(frozen=True)
class _GlyphData:
    data: bytes
    x_min: int
    y_min: int
    x_max: int
    y_max: int
    points: int
    contours: int


_faces: dict[str, Face] = {}
_faces_lock = threading.Lock()


def _candidates(style: str) -> list[str]:
    configured = (getattr(settings, "DOCUMENT_FONTS", None) or {}).get(style)
    return [configured] if configured else FONT_CANDIDATES[style]


def face(style: str = "regular") -> Face:
    """The opened face for "regular" or "bold" text; bold falls back to regular. Raises FontMissing."""
    with _faces_lock:
        if style in _faces:
            return _faces[style]
        source = locate(_candidates(style))
        if source is None and style != "regular":
            source = locate(_candidates("regular"))
        if source is None:
            searched = "、".join(_candidates(style))
            logger.error("no CJK font found; searched %s", searched)
            raise FontMissing(
                f"服务器缺少中文字体，无法生成 PDF 文书。请由系统管理员安装 Debian 软件包 {FONT_PACKAGE}"
                f"（apt-get install -y {FONT_PACKAGE}）后重试。"
            )
        _faces[style] = Face(source)
        return _faces[style]


def reset() -> None:
    """Forget opened faces (tests that point the candidates elsewhere)."""
    with _faces_lock:
        for opened in _faces.values():
            opened.font.close()
        _faces.clear()
