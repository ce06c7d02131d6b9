"""Fast multi-row INSERTs for the rows a background sweep writes by the thousand (notifications,
events, supervision orders).

`bulk_create` compiles every value through the ORM, which costs more than the database work at this
volume. Here each column's conversion is looked up once; SQLite gets `executemany` (a C loop over
one prepared statement) and PostgreSQL one `INSERT ... SELECT FROM unnest(array, array, ...)` per
chunk, so thousands of rows are one round trip. Only for plain rows: no signals, no defaults filled in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

_PLAIN = (models.IntegerField, models.CharField, models.TextField, models.BooleanField, models.ForeignKey)
PG_CHUNK = 5000


def _converter(field: models.Field, conn: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    if isinstance(field, _PLAIN) and not isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.DateField):  # and DateTimeField: a sweep stamps one value on every row
        memo: dict[Any, Any] = {}

        def convert_date(value: Any) -> Any:
            if value not in memo:
                memo[value] = field.get_db_prep_save(value, conn)
            return memo[value]

        return convert_date
    return lambda value: field.get_db_prep_save(value, conn)


def _insert_sqlite(conn: BaseDatabaseWrapper, table: str, fields: list[models.Field],
                   rows: Sequence[Sequence[Any]]) -> None:
    converters = [_converter(f, conn) for f in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names come from the model, values are parameters
        table, ", ".join(conn.ops.quote_name(str(f.column)) for f in fields), ", ".join(["%s"] * len(fields)))
    params = [tuple(value if convert is None else convert(value)
                    for convert, value in zip(converters, row, strict=True)) for row in rows]
    with conn.cursor() as cursor:
        cursor.executemany(sql, params)


def _insert_postgresql(conn: BaseDatabaseWrapper, table: str, fields: list[models.Field],
                       rows: Sequence[Sequence[Any]]) -> None:
    arrays, selects = [], []
    for i, field in enumerate(fields):
        db_type = str(field.db_type(conn))
        if isinstance(field, models.JSONField):
            arrays.append("%s::text[]")
            selects.append(f"c{i}::jsonb")
        else:
            base = db_type.split(" ", 1)[0] if db_type.startswith(("integer", "bigint", "smallint")) else db_type
            arrays.append(f"%s::{base}[]")
            selects.append(f"c{i}")
    sql = "INSERT INTO {} ({}) SELECT {} FROM unnest({}) AS u({})".format(  # noqa: S608 - as above
        table, ", ".join(conn.ops.quote_name(str(f.column)) for f in fields), ", ".join(selects),
        ", ".join(arrays), ", ".join(f"c{i}" for i in range(len(fields))))
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    with conn.cursor() as cursor:
        for start in range(0, len(rows), PG_CHUNK):
            chunk = rows[start:start + PG_CHUNK]
            columns = [list(col) for col in zip(*chunk, strict=True)]
            for i in json_columns:
                columns[i] = [None if v is None else json.dumps(v, ensure_ascii=False) for v in columns[i]]
            cursor.execute(sql, columns)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """INSERT `rows` (tuples in the order of `columns`, which are field names or attnames)."""
    if not rows:
        return 0
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [cast(models.Field, model._meta.get_field(name)) for name in columns]
    table = conn.ops.quote_name(model._meta.db_table)
    if conn.vendor == "postgresql":
        _insert_postgresql(conn, table, fields, rows)
    else:
        _insert_sqlite(conn, table, fields, rows)
    return len(rows)
