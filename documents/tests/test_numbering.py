"""文号: office short name + kind + 〔year〕 + a sequence per office, kind and year."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from documents.choices import DocumentKind
from documents.services import render_document
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"^(?P<prefix>\D+)〔(?P<year>\d{4})〕(?P<seq>\d+)号$")


def seq(document) -> int:
    return int(NUMBER.match(document.doc_number)["seq"])


def test_numbers_are_unique_and_increasing_per_office_and_kind(cast):
    first = make_petition(cast.county_bureau, actor=cast.officer)
    second = make_petition(cast.county_bureau, actor=cast.officer)
    transfers = [render_document(p, DocumentKind.TRANSFER_SLIP, actor=cast.officer)
                 for p in (first, second, first, second, first)]
    assert [seq(d) for d in transfers] == [1, 2, 3, 4, 5]
    assert len({d.doc_number for d in transfers}) == 5
    assert all(d.doc_number.startswith("青信转〔") for d in transfers)
    # Another kind of the same office has its own series; so has another office.
    assert seq(render_document(first, DocumentKind.ASSIGNMENT_SLIP, actor=cast.officer)) == 1
    assert seq(render_document(first, DocumentKind.TRANSFER_SLIP, actor=cast.handler_b)) == 1
    assert seq(render_document(first, DocumentKind.TRANSFER_SLIP, actor=cast.officer)) == 6


def test_a_new_year_starts_a_new_series(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    # 2026-12-31 23:30 Beijing time.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 15, 30, tzinfo=datetime.UTC), tick=False):
        late = [render_document(petition, DocumentKind.REPLY_LETTER, actor=cast.officer) for _ in range(2)]
    # 2027-01-01 00:30 Beijing time is 2026-12-31 16:30 UTC: the local year decides.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC), tick=False):
        early = render_document(petition, DocumentKind.REPLY_LETTER, actor=cast.officer)
    assert [d.doc_number for d in late] == ["青信复〔2026〕1号", "青信复〔2026〕2号"]
    assert early.doc_number == "青信复〔2027〕1号"
    assert early.docx.name.startswith(f"documents/2027/{petition.pk}/")
