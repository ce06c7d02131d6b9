"""Migration operations shared by the apps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


class AdoptIndex(migrations.AddIndex):
    """Add `index` to the model, taking over an equivalent index created earlier under `old_name`
    by plain SQL in another app's migration (same table and columns), so a large table's index is
    not built a second time: PostgreSQL renames it; SQLite, which cannot rename an index, drops it
    and builds the new one. Without the old index this is AddIndex.
    """

    def __init__(self, model_name: str, index: Any, old_name: str) -> None:
        super().__init__(model_name, index)
        self.old_name = old_name

    def deconstruct(self) -> tuple[str, Sequence[Any], dict[str, Any]]:
        name, args, kwargs = super().deconstruct()
        kwargs["old_name"] = self.old_name
        return name, args, kwargs

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            existing = connection.introspection.get_constraints(cursor, model._meta.db_table)
        if self.old_name in existing:
            quote = schema_editor.quote_name
            if connection.vendor == "postgresql":
                schema_editor.execute(f"ALTER INDEX {quote(self.old_name)} RENAME TO {quote(self.index.name)}")
                return
            schema_editor.execute(f"DROP INDEX {quote(self.old_name)}")
        schema_editor.add_index(model, self.index)

    def describe(self) -> str:
        return f"Adopt index {self.index.name} (formerly {self.old_name}) on {self.model_name}"
