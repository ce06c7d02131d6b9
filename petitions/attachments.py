"""Checking uploaded attachments: allowed types, real file signatures, size limit.

The extension says what the file claims to be; the first bytes (and for Office files the ZIP
directory) say what it is. Both must agree with the allowed list, or the upload is refused with
a message that names the file and the reason.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings

from core.errors import DomainError

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_LABEL = "PDF、JPG、PNG、DOC/DOCX、XLS/XLSX、TXT、MP3/M4A"


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str


TYPES: dict[str, FileType] = {
    ".pdf": FileType("PDF", "application/pdf"),
    ".jpg": FileType("JPG 图片", "image/jpeg"),
    ".jpeg": FileType("JPG 图片", "image/jpeg"),
    ".png": FileType("PNG 图片", "image/png"),
    ".doc": FileType("Word 97-2003 文档", "application/msword"),
    ".docx": FileType("Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xls": FileType("Excel 97-2003 表格", "application/vnd.ms-excel"),
    ".xlsx": FileType("Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".txt": FileType("文本文件", "text/plain"),
    ".mp3": FileType("MP3 音频", "audio/mpeg"),
    ".m4a": FileType("M4A 音频", "audio/mp4"),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    size: int
    content_type: str
    sha256: str


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} 字节"


def _zip_has(head_and_file: IO[bytes], prefix: str) -> bool:
    try:
        with zipfile.ZipFile(head_and_file) as archive:
            return any(name.startswith(prefix) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _signature_ok(ext: str, head: bytes, fh: IO[bytes]) -> bool:
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".doc", ".xls"):
        return head.startswith(OLE2)
    if ext in (".docx", ".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        fh.seek(0)
        return _zip_has(fh, "word/" if ext == ".docx" else "xl/")
    if ext == ".txt":
        fh.seek(0)
        return _is_text(fh.read(64 * 1024))
    if ext == ".mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if ext == ".m4a":
        return head[4:8] == b"ftyp"
    return False


def check(name: str, fh: IO[bytes], size: int | None = None) -> CheckedFile:
    """Check one file; raise DomainError (field "attachments") with a Chinese message naming it."""
    display = os.path.basename(name or "") or "未命名文件"
    ext = os.path.splitext(display)[1].lower()
    if ext not in TYPES:
        raise DomainError(f"附件“{display}”的类型不允许。只能上传 {ALLOWED_LABEL} 文件。", field="attachments")
    if size is None:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise DomainError(f"附件“{display}”大小为 {_human(size)}，超过上限 {_human(limit)}。", field="attachments")
    if size == 0:
        raise DomainError(f"附件“{display}”是空文件。", field="attachments")
    fh.seek(0)
    head = fh.read(16)
    if not _signature_ok(ext, head, fh):
        raise DomainError(
            f"附件“{display}”的内容与扩展名不符：它不是有效的{TYPES[ext].label}。请确认文件未损坏、扩展名未被改动。",
            field="attachments",
        )
    fh.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
        digest.update(chunk)
    fh.seek(0)
    return CheckedFile(name=display, size=size, content_type=TYPES[ext].content_type, sha256=digest.hexdigest())
