import pytest

from deadlines import calendar
from xinfang.testing import frozen

__all__ = ["frozen"]


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test's database is rolled back; the per-process holiday cache must not outlive it."""
    calendar.clear_local_cache()
    yield
    calendar.clear_local_cache()
