import datetime

import pytest
import time_machine

from reception import services
from reception.choices import RoomKind
from xinfang.testing import in_thread, make_petition, run_threads, threads_db  # noqa: F401 - the tests use them

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
