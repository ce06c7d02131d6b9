from __future__ import annotations

import datetime
import logging

from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("xinfang.documents")

# A file younger than this may belong to a transaction that has not committed yet.
ORPHAN_GRACE = datetime.timedelta(hours=6)


def _walk(path: str) -> list[str]:
    directories, files = default_storage.listdir(path)
    found = [f"{path}/{name}" for name in files]
    for directory in directories:
        found += _walk(f"{path}/{directory}")
    return found


@task()
def sweep_orphan_files() -> int:
    """Delete document files no Document refers to (left behind when an outer transaction rolled back).

    render_document removes its files when it fails itself; this catches a caller's rollback after
    it returned. Idempotent; only files older than ORPHAN_GRACE are touched.
    """
    from documents.models import Document

    try:
        files = _walk("documents")
    except FileNotFoundError:
        return 0
    known = set(Document.objects.values_list("docx", flat=True)) | set(Document.objects.values_list("pdf", flat=True))
    cutoff = timezone.now() - ORPHAN_GRACE
    removed = 0
    for name in files:
        if name in known:
            continue
        try:
            if default_storage.get_modified_time(name) > cutoff:
                continue
            default_storage.delete(name)
        except FileNotFoundError:
            continue
        removed += 1
        logger.info("removed orphan document file %s", name)
    return removed


PERIODIC = [(sweep_orphan_files, 24 * 3600)]
