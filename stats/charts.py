"""Chart pictures (PNG) for bulletins and exported reports, drawn with Pillow in the Noto CJK face the
documents app uses for PDFs (`documents.fonts`), so DOCX and PDF show the same figures offline.
Pages draw their charts with ECharts in the browser; these are for paper."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from documents import fonts

WIDTH, HEIGHT = 1600, 820
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 150, 60, 110, 120
COLOURS = ["#8b1d1d", "#2f6f9f", "#d98c1f", "#4d8b3c", "#7a4f9a", "#6b6b6b"]
GRID = "#d9d9d9"
TEXT = "#222222"


@dataclass
class Series:
    name: str
    values: list[int | float]


def _font(size: int) -> ImageFont.FreeTypeFont:
    source = fonts.face("regular").source
    return ImageFont.truetype(source.path, size, index=max(source.index, 0))


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _frame(title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH // 2, 40), title, font=_font(44), fill=TEXT, anchor="mt")
    return image, draw


def _axis(draw: ImageDraw.ImageDraw, top: float) -> tuple[int, int, int, int]:
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    upper, lower = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    small = _font(26)
    for i in range(5):
        y = lower - (lower - upper) * i / 4
        draw.line([(left, y), (right, y)], fill=GRID, width=2)
        label = f"{top * i / 4:g}"
        draw.text((left - 14, y), label, font=small, fill=TEXT, anchor="rm")
    draw.line([(left, lower), (right, lower)], fill=TEXT, width=3)
    return left, right, upper, lower


def bar_chart(title: str, labels: list[str], series: list[Series]) -> bytes:
    """Vertical bars, one group per label, one bar per series (e.g. this period and a year earlier)."""
    image, draw = _frame(title)
    top = _nice_max(max([v for s in series for v in s.values] or [0]))
    left, right, upper, lower = _axis(draw, top)
    small = _font(26)
    count = max(len(labels), 1)
    slot = (right - left) / count
    bar = slot * 0.7 / max(len(series), 1)
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.15
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            height = (lower - upper) * (value / top)
            bx = x0 + bar * j
            draw.rectangle([bx, lower - height, bx + bar - 4, lower], fill=COLOURS[j % len(COLOURS)])
            draw.text((bx + bar / 2, lower - height - 6), f"{value:g}", font=small, fill=TEXT, anchor="mb")
        text = label if len(label) <= 8 else label[:7] + "…"
        draw.text((left + slot * (i + 0.5), lower + 14), text, font=small, fill=TEXT, anchor="mt")
    _legend(draw, series)
    return _png(image)


def line_chart(title: str, labels: list[str], series: list[Series]) -> bytes:
    """Lines over time (e.g. monthly 件次 this year and a year earlier)."""
    image, draw = _frame(title)
    top = _nice_max(max([v for s in series for v in s.values] or [0]))
    left, right, upper, lower = _axis(draw, top)
    small = _font(26)
    count = max(len(labels), 1)
    step = (right - left) / count
    for i, label in enumerate(labels):
        draw.text((left + step * (i + 0.5), lower + 14), label, font=small, fill=TEXT, anchor="mt")
    for j, s in enumerate(series):
        colour = COLOURS[j % len(COLOURS)]
        points = [(left + step * (i + 0.5), lower - (lower - upper) * (v / top)) for i, v in enumerate(s.values)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=6, joint="curve")
        for x, y in points:
            draw.ellipse([x - 8, y - 8, x + 8, y + 8], fill=colour)
    _legend(draw, series)
    return _png(image)


def _legend(draw: ImageDraw.ImageDraw, series: list[Series]) -> None:
    small = _font(28)
    x = MARGIN_LEFT
    y = HEIGHT - 46
    for j, s in enumerate(series):
        draw.rectangle([x, y - 12, x + 36, y + 12], fill=COLOURS[j % len(COLOURS)])
        draw.text((x + 48, y), s.name, font=small, fill=TEXT, anchor="lm")
        x += 60 + int(draw.textlength(s.name, font=small)) + 40
