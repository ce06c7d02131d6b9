from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core import pii
from core.pii import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt all personal data with the first key of XINFANG_PII_KEYS (after adding a new key)."

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            columns = [connection.ops.quote_name(f.column) for f in fields]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table}")  # noqa: S608
                rows = cursor.fetchall()
                for row in rows:
                    values = [pii.rotate(v) if v else v for v in row[1:]]
                    assignments = ", ".join(f"{c} = %s" for c in columns)
                    cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [*values, row[0]])  # noqa: S608
                total += len(rows)
            self.stdout.write(f"{model._meta.label}: {len(rows)} 行已用新密钥重新加密")
        self.stdout.write(self.style.SUCCESS(f"完成，共 {total} 行。"))
