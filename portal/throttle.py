"""Counting attempts in the cache (Redis when REDIS_URL is set, the database cache otherwise).

A counter lives for one window from its first hit. Keys are hashed so phone numbers and IPs never
appear in the cache in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int

    def describe(self) -> str:
        if self.seconds % 86400 == 0:
            span = f"{self.seconds // 86400}天" if self.seconds > 86400 else "一天"
        elif self.seconds % 3600 == 0:
            span = f"{self.seconds // 3600}小时"
        else:
            span = f"{max(1, self.seconds // 60)}分钟"
        return f"{span}内最多{self.count}次"


def limit(name: str) -> Limit:
    """The configured limit `PORTAL_LIMITS[name]` = (count, seconds)."""
    defaults = {
        "submit_ip": (10, 3600),          # online submissions per IP per hour
        "submit_phone": (3, 86400),       # online submissions per phone per day
        "follow_failures": (5, 900),      # wrong number/code pairs per IP per 15 minutes
        "rate_ip": (20, 3600),            # rating attempts per IP per hour
        "captcha_ip": (60, 600),          # CAPTCHA images per IP per 10 minutes (a page load or "换一张")
    }
    count, seconds = {**defaults, **getattr(settings, "PORTAL_LIMITS", {})}[name]
    return Limit(name, int(count), int(seconds))


def _key(lim: Limit, subject: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{lim.name}:{subject}".encode()).hexdigest()[:32]
    return f"portal:{lim.name}:{digest}"


def count(lim: Limit, subject: str) -> int:
    return int(cache.get(_key(lim, subject), 0) or 0)


def exceeded(lim: Limit, subject: str) -> bool:
    return count(lim, subject) >= lim.count


def hit(lim: Limit, subject: str) -> int:
    """Add one attempt; returns the count in the current window."""
    key = _key(lim, subject)
    if cache.add(key, 1, timeout=lim.seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=lim.seconds)
        return 1


def reset(lim: Limit, subject: str) -> None:
    cache.delete(_key(lim, subject))
