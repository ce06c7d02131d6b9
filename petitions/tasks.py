"""Background work of the petitions app: ledger imports started from the upload page.

The import runs in one transaction (all-or-nothing), so its progress cannot be written to the
database while it runs (SQLite holds the write lock; PostgreSQL would not show it before commit).
Progress therefore goes to a small JSON file next to the uploaded file, which the status page
polls; the job row gets the final result.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from petitions.choices import ImportState
from petitions.models import ImportJob

logger = logging.getLogger("xinfang.import")


def _progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.json"


def write_progress(job_id: int, phase: str, done: int, total: int) -> None:
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total, "at": time.time()}))
    os.replace(tmp, path)


def read_progress(job: ImportJob) -> dict[str, Any]:
    try:
        return json.loads(_progress_path(job.pk).read_text())
    except (OSError, ValueError):
        return {"phase": "queued" if job.state == ImportState.QUEUED else "", "done": job.processed,
                "total": job.total}


def start_import(user: Any, name: str, upload: IO[bytes] | None, *, dry_run: bool,
                 same_file_as: ImportJob | None = None) -> ImportJob:
    """Store the file, create the job and queue the import after the commit."""
    from audit.models import Action
    from audit.services import record

    with transaction.atomic():
        job = ImportJob(created_by=user, original_name=os.path.basename(name)[:255], dry_run=dry_run)
        if same_file_as is not None:
            job.file.name = same_file_as.file.name
        else:
            assert upload is not None  # noqa: S101 - a new upload always has a file
            job.file.save(os.path.basename(name), File(upload), save=False)
        job.save()
        record(user, Action.IMPORT, job, summary=f"{'检查' if dry_run else '导入'}台账 {job.original_name}")
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


@task()
def run_import_job(job_id: int) -> dict:
    """Run one import job. Idempotent: a finished job is not run again, and rows imported before are
    skipped by their source_id anyway."""
    from petitions.importer import ImportFileError, import_file

    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(state=ImportState.RUNNING)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job.result
    write_progress(job.pk, "check", 0, 0)
    try:
        with job.file.open("rb") as fh:
            result = import_file(job.original_name, fh, actor=job.created_by, dry_run=job.dry_run,
                                 progress=lambda phase, done, total: write_progress(job.pk, phase, done, total))
        data = result.as_dict()
        data["summary"] = result.summary()
        state = ImportState.DONE if result.ok else ImportState.FAILED
        total = result.rows
    except ImportFileError as exc:
        data = {"errors": [str(exc)], "summary": str(exc), "dry_run": job.dry_run}
        state, total = ImportState.FAILED, 0
    except Exception:
        logger.exception("import job %s failed", job.pk)
        message = "导入时发生内部错误，未导入任何数据。请联系管理员查看日志。"
        data = {"errors": [message], "summary": message, "dry_run": job.dry_run}
        state, total = ImportState.FAILED, 0
    ImportJob.objects.filter(pk=job.pk).update(state=state, result=data, total=total, processed=total,
                                               finished_at=timezone.now())
    write_progress(job.pk, "done", total, total)
    return data


@task()
def merge_search_index() -> int:
    """Merge what the search index holds back after imports and registrations (see search.merge_pending)."""
    from petitions.search import merge_pending

    return merge_pending()


# Registrations add a few entries a minute; an import queues its own merge at once.
PERIODIC = [(merge_search_index, 300)]
