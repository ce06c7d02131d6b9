"""Where trained models and indexes live, with versions.

Layout under the model directory (setting `INSIGHT_DIR`, default `VAR_DIR / "insight"`):

    <kind>/<version>.<ext>     one file per trained version; version = UTC time + content fingerprint
    <kind>/CURRENT             the version in use (replaced atomically after a new version is written)

Older versions are kept (the last `KEEP` of them) so a bad training can be rolled back with
`activate(kind, version)`. Loaded objects are cached per process and reloaded when CURRENT changes,
so web workers pick up a retrained model without a restart.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings

KEEP = 5
KINDS = {
    "category": "pkl",  # level-1 category names
    "category_path": "pkl",  # full category paths (城乡建设/房地产市场/逾期交房)
    "unit": "pkl",  # handling unit codes
    "neardup": "npz",
    "answer_lines": "pkl",
}
_VERSION = re.compile(r"^\d{8}T\d{6}Z(-[0-9a-f]{4,16})?$")
_cache: dict[str, tuple[str, Any]] = {}
_lock = threading.Lock()
T = TypeVar("T")


def base_dir() -> Path:
    """Setting INSIGHT_DIR, else $XINFANG_INSIGHT_DIR, else VAR_DIR/insight. Under the test runner the
    default is a folder of the test process, so a model trained by hand never leaks into tests."""
    configured = getattr(settings, "INSIGHT_DIR", None) or os.environ.get("XINFANG_INSIGHT_DIR")
    if configured:
        return Path(configured)
    if getattr(settings, "TESTING", False):
        return Path(tempfile.gettempdir()) / f"xinfang-insight-test-{os.getpid()}"
    return Path(settings.VAR_DIR) / "insight"


def _kind_dir(kind: str) -> Path:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}")
    return base_dir() / kind


def new_version(fingerprint: str = "") -> str:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{fingerprint[:12]}" if fingerprint else stamp


def version_time(version: str) -> datetime.datetime:
    """When a version was written (UTC), from its name."""
    if not _VERSION.match(version):
        raise ValueError(f"bad version {version!r}")
    return datetime.datetime.strptime(version[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)


def path_for(kind: str, version: str) -> Path:
    if not _VERSION.match(version):
        raise ValueError(f"bad version {version!r}")
    return _kind_dir(kind) / f"{version}.{KINDS[kind]}"


def versions(kind: str) -> list[str]:
    """Stored versions, oldest first."""
    folder = _kind_dir(kind)
    if not folder.exists():
        return []
    ext = "." + KINDS[kind]
    return sorted(p.name[: -len(ext)] for p in folder.iterdir() if p.name.endswith(ext) and _VERSION.match(p.name[: -len(ext)]))


def current_version(kind: str) -> str | None:
    marker = _kind_dir(kind) / "CURRENT"
    try:
        version = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version if version and _VERSION.match(version) and path_for(kind, version).exists() else None


def current_path(kind: str) -> Path | None:
    version = current_version(kind)
    return path_for(kind, version) if version else None


def activate(kind: str, version: str) -> None:
    """Make `version` the one in use (atomic rename of the CURRENT marker)."""
    if not path_for(kind, version).exists():
        raise FileNotFoundError(f"no {kind} model version {version}")
    folder = _kind_dir(kind)
    tmp = folder / f".CURRENT.{os.getpid()}.{threading.get_ident()}"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, folder / "CURRENT")


def publish(kind: str, save: Callable[[Path], Any], fingerprint: str = "") -> str:
    """Write a new version with `save(path)`, make it current, prune old versions; returns the version."""
    version = new_version(fingerprint)
    path = path_for(kind, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    save(path)
    activate(kind, version)
    for old in versions(kind)[:-KEEP]:
        if old != version:
            path_for(kind, old).unlink(missing_ok=True)
    return version


def load_current(kind: str, loader: Callable[[Path], T]) -> T | None:
    """The current version loaded with `loader`, cached until CURRENT changes; None when nothing is trained."""
    version = current_version(kind)
    if version is None:
        return None
    key = f"{base_dir()}:{kind}"
    cached = _cache.get(key)
    if cached and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
        obj = loader(path_for(kind, version))
        _cache[key] = (version, obj)
        return obj


def forget(kind: str | None = None) -> None:
    """Drop cached objects (tests; after an in-process update of an index)."""
    with _lock:
        for key in list(_cache):
            if kind is None or key.endswith(f":{kind}"):
                del _cache[key]


def cached(kind: str, version: str) -> Any:
    entry = _cache.get(f"{base_dir()}:{kind}")
    return entry[1] if entry and entry[0] == version else None


def put_cached(kind: str, version: str, obj: Any) -> None:
    with _lock:
        _cache[f"{base_dir()}:{kind}"] = (version, obj)
