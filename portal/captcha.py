"""A CAPTCHA drawn by our own server (Pillow), kept in the session as a keyed hash, good for one try."""

from __future__ import annotations

import io
import secrets
import time

from django.utils.crypto import constant_time_compare, salted_hmac

SESSION_KEY = "portal_captcha"
ALPHABET = "ACDEFHJKLMNPRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
LENGTH = 5
MAX_AGE = 600  # seconds


def random_text() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _digest(text: str) -> str:
    return salted_hmac("portal.captcha", text.strip().upper()).hexdigest()


def issue(session) -> str:  # noqa: ANN001
    """Draw a new challenge, remember it in the session (replacing any earlier one), return its text."""
    text = random_text()
    session[SESSION_KEY] = {"h": _digest(text), "t": int(time.time())}
    return text


def verify(session, answer: str) -> bool:  # noqa: ANN001
    """Check an answer. The challenge is used up whatever the outcome, so each image allows one try."""
    stored = session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict) or not answer:
        return False
    if int(time.time()) - int(stored.get("t", 0)) > MAX_AGE:
        return False
    return constant_time_compare(_digest(answer), str(stored.get("h", "")))


def render_png(text: str) -> bytes:
    """A 160×56 PNG of `text` with jitter, rotation and noise."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = secrets.SystemRandom()
    width, height = 160, 56
    image = Image.new("RGB", (width, height), (246, 244, 238))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        draw.line([(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)],
                  fill=(rng.randint(120, 200), rng.randint(120, 200), rng.randint(120, 200)), width=1)
    font = ImageFont.load_default(size=34)
    x = 8
    for char in text:
        glyph = Image.new("RGBA", (40, 48), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((6, 2), char, font=font,
                                   fill=(rng.randint(20, 90), rng.randint(20, 60), rng.randint(20, 90), 255))
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=False)
        image.paste(glyph, (x, rng.randint(0, 8)), glyph)
        x += 29
    for _ in range(220):
        draw.point((rng.randint(0, width - 1), rng.randint(0, height - 1)),
                   fill=(rng.randint(60, 180), rng.randint(60, 180), rng.randint(60, 180)))
    for _ in range(2):
        y0 = rng.randint(12, height - 12)
        draw.arc([(-20, y0 - 20), (width + 20, y0 + 20)], start=rng.randint(0, 40), end=rng.randint(140, 180),
                 fill=(90, 70, 90), width=2)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
