import pytest
import time_machine
from django.db import transaction

from stats.tests.world import TODAY, at, build_world
from xinfang.testing import build_cast


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # noqa: ANN001
    """The history of world.py, built once per module inside a transaction that is rolled back at
    the end; each test runs in a savepoint of it (pytest-django's `db`)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(build_cast())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def on_today(db):  # noqa: ANN001
    """Look at the world on 2026-07-20."""
    with time_machine.travel(at(TODAY.year, TODAY.month, TODAY.day, 9), tick=False) as traveller:
        yield traveller
