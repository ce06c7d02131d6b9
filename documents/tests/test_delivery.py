from __future__ import annotations

import datetime
import importlib

import pytest
import time_machine
from django.utils import timezone

from audit.models import Action, AuditEntry
from core.errors import Conflict, DomainError
from documents.choices import DeliveryMethod, DocumentKind
from documents.models import Document
from documents.services import mark_delivered, render_document
from petitions.models import Event
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db
NOON = datetime.datetime(2026, 4, 1, 4, 0, tzinfo=datetime.UTC)  # 12:00 in Beijing


@pytest.fixture
def document(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    with time_machine.travel(NOON, tick=False):
        return render_document(petition, DocumentKind.REPLY_LETTER, actor=cast.officer, for_petitioner=True)


def test_mark_delivered_now_writes_event_and_audit(cast, document):
    with time_machine.travel(NOON + datetime.timedelta(days=2), tick=False):
        mark_delivered(document, actor=cast.officer)
    document.refresh_from_db()
    assert document.delivered_at == NOON + datetime.timedelta(days=2)
    assert document.delivery_method == "直接送达"  # the default method
    event = Event.objects.filter(petition=document.petition).latest("id")
    assert (event.action, event.data, event.note) == (
        "document_delivered", {"document": document.pk, "method": "直接送达"},
        f"信访处理意见书（{document.doc_number}）已送达（直接送达）")
    entry = AuditEntry.objects.get(action=Action.UPDATE, object_type="documents.document")
    assert entry.summary == f"文书送达 {document.doc_number} 信访处理意见书（直接送达）"
    assert entry.data["delivery_method"] == "直接送达"


@pytest.mark.parametrize("method", DeliveryMethod.values)
def test_the_method_is_recorded_on_the_document_and_in_the_event(cast, document, method):
    with time_machine.travel(NOON + datetime.timedelta(days=2), tick=False):
        mark_delivered(document, actor=cast.handler_b, on=datetime.date(2026, 4, 2), method=method)
    document.refresh_from_db()
    assert document.delivery_method == method
    event = Event.objects.get(petition=document.petition, action="document_delivered")
    assert event.data["method"] == method and event.note.endswith(f"已送达（{method}）")


def test_an_unknown_method_is_refused_and_nothing_is_recorded(cast, document):
    with time_machine.travel(NOON + datetime.timedelta(days=2), tick=False):
        with pytest.raises(DomainError) as exc:
            mark_delivered(document, actor=cast.officer, method="托人捎带")
    assert exc.value.field == "method"
    assert exc.value.message == "请选择送达方式（直接送达、邮寄送达、电子送达、委托送达、留置送达、公告送达）。"
    document.refresh_from_db()
    assert (document.delivered_at, document.delivery_method) == (None, "")
    assert not Event.objects.filter(action="document_delivered").exists()


def test_reply_letters_delivered_before_the_field_get_their_reply_s_method(cast, document):
    """The migration's backfill: the method the reply recorded goes onto its delivered reply letter."""
    from django.apps import apps

    from handling.models import Reply

    backfill = importlib.import_module("documents.migrations.0003_delivery_method").backfill_from_replies
    undelivered = render_document(document.petition, DocumentKind.REPLY_LETTER, actor=cast.officer)
    Document.objects.filter(pk=document.pk).update(delivered_at=NOON)
    for doc, method in ((document, "邮寄送达"), (undelivered, "电子送达")):
        Reply.objects.create(petition=document.petition, unit=cast.unit_b, drafted_by=cast.handler_b,
                             complaint="诉求", facts="事实", opinion="support", opinion_text="意见",
                             delivery_method=method, document=doc)
    backfill(apps, None)
    assert dict(Document.objects.filter(petition=document.petition).values_list("pk", "delivery_method")) == {
        document.pk: "邮寄送达", undelivered.pk: ""}  # only a delivered document takes a method


def test_mark_delivered_on_a_date_is_midnight_local_time(cast, document):
    with time_machine.travel(NOON + datetime.timedelta(days=5), tick=False):
        mark_delivered(document, actor=cast.officer, on=datetime.date(2026, 4, 3))
    document.refresh_from_db()
    assert timezone.localtime(document.delivered_at).isoformat() == "2026-04-03T00:00:00+08:00"


def test_delivery_on_the_creation_day_is_allowed(cast, document):
    with time_machine.travel(NOON + datetime.timedelta(hours=1), tick=False):
        mark_delivered(document, actor=cast.officer, on=datetime.date(2026, 4, 1))
    assert document.delivered_at is not None


def test_delivery_dates_must_be_plausible(cast, document):
    with time_machine.travel(NOON, tick=False):
        with pytest.raises(DomainError) as future:
            mark_delivered(document, actor=cast.officer, on=datetime.date(2026, 4, 2))
        with pytest.raises(DomainError) as before:
            mark_delivered(document, actor=cast.officer, on=datetime.date(2026, 3, 31))
    assert future.value.message == "送达日期不能晚于今天。" and future.value.field == "on"
    assert before.value.message == "送达日期不能早于文书生成日期。"
    document.refresh_from_db()
    assert document.delivered_at is None
    assert not Event.objects.filter(action="document_delivered").exists()


def test_a_document_is_delivered_once(cast, document):
    with time_machine.travel(NOON + datetime.timedelta(days=1), tick=False):
        mark_delivered(document, actor=cast.officer)
        with pytest.raises(Conflict) as exc:
            mark_delivered(document, actor=cast.handler_b)
    assert exc.value.message == "该文书已于2026-04-02登记送达，不能重复登记。"
    assert Event.objects.filter(action="document_delivered").count() == 1
