"""The fixed cast of units and users every test uses (CONVENTIONS.md "Tests"), and the permission
suite helpers. Kept in the package so tests of every app import one definition."""

from __future__ import annotations

import datetime
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user
from orgs.choices import Level, UnitKind
from orgs.models import Unit
from orgs.services import create_unit

PASSWORD = "cast-password-2026"  # noqa: S105 - test users only

# A Monday with no holiday around it, so clock arithmetic in tests is easy to follow.
FROZEN_START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@dataclass
class Cast:
    province: Unit
    city: Unit
    city_bureau: Unit
    county: Unit
    county_bureau: Unit
    unit_b: Unit
    unit_b2: Unit
    town_a: Unit
    village_a: Unit
    town_c: Unit
    desk_a: User
    officer: User
    handler_b: User
    head_b: User
    leader: User
    outsider_c: User
    analyst: User
    admin: User
    city_officer: User

    @property
    def staff(self) -> dict[str, User]:
        return {
            "desk_a": self.desk_a, "officer": self.officer, "handler_b": self.handler_b, "head_b": self.head_b,
            "leader": self.leader, "outsider_c": self.outsider_c, "analyst": self.analyst, "admin": self.admin,
            "city_officer": self.city_officer,
        }


def build_cast() -> Cast:
    u = create_unit
    province = u(code="P34", name="江淮省", level=Level.PROVINCE, kind=UnitKind.GOVERNMENT, division_code="340000")
    city = u(code="C3499", name="青川市", level=Level.CITY, kind=UnitKind.GOVERNMENT, division_code="349900",
             parent=province)
    city_bureau = u(code="C3499-XFJ", name="青川市信访局", level=Level.CITY, kind=UnitKind.BUREAU,
                    division_code="349900", parent=city)
    county = u(code="K349902", name="青山区", level=Level.COUNTY, kind=UnitKind.GOVERNMENT,
               division_code="349902", parent=city)
    county_bureau = u(code="K349902-XFJ", name="青山区信访局", level=Level.COUNTY, kind=UnitKind.BUREAU,
                      division_code="349902", parent=county)
    unit_b = u(code="K349902-ZJJ", name="青山区住房和城乡建设局", level=Level.COUNTY, kind=UnitKind.DEPARTMENT,
               division_code="349902", parent=county)
    unit_b2 = u(code="K349902-RSJ", name="青山区人力资源和社会保障局", level=Level.COUNTY,
                kind=UnitKind.DEPARTMENT, division_code="349902", parent=county)
    town_a = u(code="T349902001", name="城关街道", level=Level.TOWN, kind=UnitKind.GOVERNMENT,
               division_code="349902001000", parent=county)
    village_a = u(code="V349902001001", name="东门社区", level=Level.VILLAGE, kind=UnitKind.GOVERNMENT,
                  division_code="349902001001", parent=town_a)
    town_c = u(code="T349902003", name="河西镇", level=Level.TOWN, kind=UnitKind.GOVERNMENT,
               division_code="349902003000", parent=county)

    def user(username: str, unit: Unit, role: str, name: str) -> User:
        return create_user(username=username, password=PASSWORD, unit=unit, role=role, full_name=name,
                           check_password=False)

    return Cast(
        province=province, city=city, city_bureau=city_bureau, county=county, county_bureau=county_bureau,
        unit_b=unit_b, unit_b2=unit_b2, town_a=town_a, village_a=village_a, town_c=town_c,
        desk_a=user("desk_a", town_a, Role.FRONT_DESK, "王登记"),
        officer=user("officer", county_bureau, Role.OFFICER, "李干部"),
        handler_b=user("handler_b", unit_b, Role.HANDLER, "赵承办"),
        head_b=user("head_b", unit_b, Role.UNIT_HEAD, "钱局长"),
        leader=user("leader", county, Role.LEADER, "孙区长"),
        outsider_c=user("outsider_c", town_c, Role.FRONT_DESK, "周外人"),
        analyst=user("analyst", county_bureau, Role.ANALYST, "吴统计"),
        admin=user("admin", city, Role.ADMIN, "郑管理"),
        city_officer=user("city_officer", city_bureau, Role.OFFICER, "冯市干部"),
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def status_by_user(cast: Cast, method: str, url: str, data: Any = None, **extra: Any) -> dict[str, int]:
    """Status code each cast member (plus "anonymous") gets for one request."""
    result = {}
    for name, user in {**cast.staff, "anonymous": None}.items():
        client = client_for(user)
        response = getattr(client, method.lower())(url, data=data, **extra)
        result[name] = response.status_code
    return result


def make_petition(receiving_unit: Unit, *, actor: Any = None, kind: str = "claim", title: str = "楼道漏水无人修",
                  accused_unit: Unit | None = None, accused_user: User | None = None, channel: str = "visit",
                  headcount: int = 1, name: str = "张三", id_number: str = "", phone: str = "13812345678") -> Any:
    """Register one matter through the real service and return it."""
    from petitions.services import AccusedInput, PersonInput, RegistrationInput, register_contact

    accused = []
    if accused_unit or accused_user:
        accused.append(AccusedInput(name=getattr(accused_unit, "name", "") or str(accused_user), unit=accused_unit,
                                    user=accused_user))
    contact = register_contact(
        RegistrationInput(channel=channel, receiving_unit=receiving_unit, title=title, content=f"{title}，请求处理。",
                          kind=kind, headcount=headcount, accused=accused,
                          people=[PersonInput(name=name, id_number=id_number, phone=phone)]),
        actor=actor,
    )
    return contact.petition


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    """Time stands still at FROZEN_START (Asia/Shanghai) until the test moves it with
    `frozen.move_to()` / `frozen.shift()`. A conftest makes it available with
    `from xinfang.testing import frozen`."""
    with time_machine.travel(FROZEN_START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def threads_db(transactional_db: Any) -> Iterator[str | None]:
    """Lets threads use their own database connections, as concurrent requests do.

    SQLite's in-memory test database cannot take concurrent writers (shared-cache table locks fail
    at once instead of waiting), so on SQLite the committed test database is copied to a WAL file
    and new connections (the threads') open that file, like production. PostgreSQL needs nothing.
    Read results back with `in_thread()`, which uses a new connection too. A conftest makes it
    available with `from xinfang.testing import threads_db`.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]
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


def run_threads(target: Callable[[int], Any], count: int) -> list[BaseException]:
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


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run `fn()` in a new thread (a new connection: the threads' database) and return its result
    or raise its error."""
    box: dict[str, Any] = {}

    def run(_index: int) -> None:
        box["value"] = fn()

    errors = run_threads(run, 1)
    if errors:
        raise errors[0]
    return box.get("value")
