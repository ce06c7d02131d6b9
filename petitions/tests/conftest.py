import os
import sqlite3
import tempfile
import threading

import pytest
from django.db import connection, connections


@pytest.fixture
def threads_db(transactional_db):  # noqa: ANN001, ANN201
    """Lets threads use their own database connections, as concurrent requests do.

    SQLite's in-memory test database cannot take concurrent writers (shared-cache table locks fail
    at once instead of waiting), so on SQLite the committed test database is copied to a WAL file
    and new connections (the threads') open that file, like production. PostgreSQL needs nothing.
    Read results back with `in_thread()`, which uses a new connection too.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    connection.ensure_connection()
    fd, path = tempfile.mkstemp(suffix=".sqlite3")
    os.close(fd)
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = connections.settings["default"]
    old_name = settings_dict["NAME"]
    settings_dict["NAME"] = path
    try:
        yield path
    finally:
        settings_dict["NAME"] = old_name
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)


def in_thread(fn):  # noqa: ANN001, ANN201
    """Run `fn()` in a new thread (a new connection) and return its result or raise its error."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
