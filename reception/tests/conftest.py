import datetime
import os
import sqlite3
import tempfile
import threading

import pytest
import time_machine
from django.db import connection, connections

from reception import services
from reception.choices import RoomKind
from xinfang.testing import make_petition

# A Monday with no holiday around it.
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The deadline engine caches holiday tables and the default rule pack per process; each test's
    database is rolled back or flushed underneath it."""
    from deadlines import calendar

    calendar.clear_local_cache()
    yield
    calendar.clear_local_cache()


@pytest.fixture
def deadline_tables(transactional_db):  # noqa: ANN001, ANN201
    """Transactional tests flush the rule packs and holiday tables that migrations load (and
    serialized rollback breaks when other transactional tests ran first): put them back."""
    from deadlines import calendar
    from deadlines.holidays import load_years
    from deadlines.models import CalendarDay, ClockRule, HolidayYear, RulePack
    from deadlines.packs import install

    install(RulePack, ClockRule)
    load_years(HolidayYear, CalendarDay)
    calendar.clear_local_cache()


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


class Setup:
    """The county 信访局's reception centre: a registration hall with desk A (two windows), a leaders'
    reception room with desk L, a hearing room; and the town A centre with desk T."""

    def __init__(self, cast):
        officer = cast.officer
        self.center = services.create_center(unit=cast.county_bureau, name="青山区人民来访接待中心",
                                             address="青山区人民路1号", actor=officer)
        self.hall = services.add_room(self.center, name="登记大厅", kind=RoomKind.REGISTRATION, actor=officer)
        self.leader_room = services.add_room(self.center, name="领导接待室", kind=RoomKind.LEADER, actor=officer)
        self.hearing_room = services.add_room(self.center, name="听证室", kind=RoomKind.HEARING, actor=officer)
        self.desk = services.add_desk(self.center, room=self.hall, name="登记窗口", prefix="A", windows=2,
                                      actor=officer)
        self.leader_desk = services.add_desk(self.center, room=self.leader_room, name="领导接访", prefix="L",
                                             actor=officer)
        self.town_center = services.create_center(unit=cast.town_a, name="城关街道接待站", actor=officer)
        town_hall = services.add_room(self.town_center, name="接待室", kind=RoomKind.REGISTRATION, actor=officer)
        self.town_desk = services.add_desk(self.town_center, room=town_hall, name="接待窗口", prefix="T",
                                           actor=officer)


@pytest.fixture
def setup(cast, frozen):
    return Setup(cast)


@pytest.fixture
def live_setup(cast):
    """The same set-up at the real time: threads connecting to PostgreSQL need a clock that moves
    (psycopg's connect timeout reads time.monotonic, which a frozen time stops)."""
    return Setup(cast)


@pytest.fixture
def matter(cast, frozen):
    return make_petition(cast.county_bureau, actor=cast.officer, title="小区楼顶违章搭建无人处理")


@pytest.fixture
def threads_db(transactional_db):  # noqa: ANN001, ANN201
    """Threads use their own connections, as concurrent requests do. SQLite's in-memory test
    database cannot take concurrent writers, so on SQLite it is copied to a WAL file that new
    connections open (like production). PostgreSQL needs nothing."""
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


def run_threads(target, count):  # noqa: ANN001, ANN201
    """Start `count` threads at once (a barrier), each running target(index); return their errors."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def body(index: int) -> None:
        try:
            barrier.wait()
            target(index)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def in_thread(fn):  # noqa: ANN001, ANN201
    """Run `fn()` in a new thread (a new connection: the threads' database) and return its result."""
    box: dict = {}

    def run(_index: int) -> None:
        box["value"] = fn()

    errors = run_threads(run, 1)
    if errors:
        raise errors[0]
    return box.get("value")
