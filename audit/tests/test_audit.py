import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import Action, AuditEntry
from audit.services import record

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted_through_the_orm(cast):
    entry = record(cast.officer, Action.EXPORT, summary="导出")
    entry.summary = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_database_refuses_updates_even_with_raw_sql(cast):
    entry = record(cast.officer, Action.EXPORT, summary="导出")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).summary == "导出"


def test_admin_can_search_the_audit_log(client, cast):
    record(cast.officer, Action.EXPORT, summary="导出月报")
    client.force_login(cast.admin)
    response = client.get("/admin/audit/auditentry/", {"q": "月报"})
    assert response.status_code == 200
    assert "导出月报" in response.content.decode()


def test_non_admin_cannot_open_the_audit_log(client, cast):
    client.force_login(cast.officer)
    response = client.get("/admin/audit/auditentry/")
    assert response.status_code == 302  # to the admin login: officers are not admin staff
