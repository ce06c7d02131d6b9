"""Personal data protection: encryption at rest, a keyed blind index, and masking.

ID numbers and phone numbers are stored encrypted (Fernet, AES-128-CBC + HMAC-SHA256). Exact
look-ups use a separate keyed HMAC ("blind index") so the plain value is never stored or
compared in SQL. Keys come from settings.PII_KEYS (first key encrypts, all keys decrypt, which is
how rotation works: see `manage.py rotate_pii_keys`).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=1)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"XINFANG_PII_KEYS / var/pii.key: invalid Fernet key ({exc})") from None


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.PII_KEYS))


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "personal data cannot be decrypted with the configured keys (XINFANG_PII_KEYS / var/pii.key)"
        ) from None


def rotate(token: str) -> str:
    return cipher().rotate(token.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed, deterministic digest for exact look-ups. `purpose` separates ID and phone spaces."""
    normalised = normalise(value)
    if not normalised:
        return ""
    key = settings.PII_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}:{normalised}".encode(), hashlib.sha256).hexdigest()[:32]


def normalise(value: str | None) -> str:
    if not value:
        return ""
    return "".join(value.split()).upper()


class EncryptedTextField(models.TextField):
    """A text column whose value is encrypted before it reaches the database."""

    def from_db_value(self, value, expression, connection):  # noqa: ANN001
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):  # noqa: ANN001
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def mask_id_number(value: str | None) -> str:
    """3401**********1234: the region and the last four stay, the birth date is hidden."""
    if not value:
        return ""
    v = normalise(value)
    if len(v) <= 8:
        return v[:1] + "*" * (len(v) - 1)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    v = normalise(value)
    if len(v) < 7:
        return v[:1] + "*" * (len(v) - 1)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(value: str | None) -> str:
    """张三 → 张*, 欧阳明月 → 欧**月."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
