from __future__ import annotations

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from documents.choices import DocumentKind
from documents.services import render_document
from documents.tasks import sweep_orphan_files
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def _age(name: str, hours: int) -> None:
    path = default_storage.path(name)
    old = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=hours)).timestamp()
    os.utime(path, (old, old))


def test_sweep_removes_old_unreferenced_files_only(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.GENERIC, actor=cast.officer)
    old_orphan = default_storage.save(f"documents/2026/{petition.pk}/999-generic.pdf", ContentFile(b"%PDF"))
    young_orphan = default_storage.save(f"documents/2026/{petition.pk}/998-generic.pdf", ContentFile(b"%PDF"))
    for name in (old_orphan, document.pdf.name, document.docx.name):
        _age(name, 48)
    _age(young_orphan, 1)

    assert sweep_orphan_files.call() == 1
    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(young_orphan)
    assert default_storage.exists(document.pdf.name) and default_storage.exists(document.docx.name)
    assert sweep_orphan_files.call() == 0  # idempotent


def test_sweep_with_no_files_at_all():
    assert sweep_orphan_files.call() == 0
