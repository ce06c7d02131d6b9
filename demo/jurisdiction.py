"""The demo jurisdiction: one fictional city (青川市) with its 信访局 and departments, three
districts/counties with theirs, their towns/streets and villages/communities. Names and codes are
generated here; they follow GB/T 2260 shapes but describe no real place."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user
from orgs.choices import Level, UnitKind
from orgs.models import Unit
from orgs.services import create_unit

DEMO_PASSWORD = "xinfang2026"  # noqa: S105 - the published demo password, printed by `make run`

DEPARTMENTS = [
    ("ZJJ", "住房和城乡建设局", UnitKind.DEPARTMENT),
    ("RSJ", "人力资源和社会保障局", UnitKind.DEPARTMENT),
    ("ZRZY", "自然资源和规划局", UnitKind.DEPARTMENT),
    ("GAJ", "公安局", UnitKind.LEGAL),
    ("JYJ", "教育局", UnitKind.DEPARTMENT),
    ("WJW", "卫生健康委员会", UnitKind.DEPARTMENT),
    ("STHJ", "生态环境局", UnitKind.DEPARTMENT),
    ("MZJ", "民政局", UnitKind.DEPARTMENT),
    ("NYNC", "农业农村局", UnitKind.DEPARTMENT),
    ("JTJ", "交通运输局", UnitKind.DEPARTMENT),
    ("SCJG", "市场监督管理局", UnitKind.DEPARTMENT),
    ("TYJR", "退役军人事务局", UnitKind.DEPARTMENT),
    ("JWJW", "纪委监委", UnitKind.DISCIPLINE),
    ("FY", "人民法院", UnitKind.LEGAL),
]

COUNTIES = [
    ("349902", "青山区", ["城关街道", "东湖街道", "北站街道", "河西镇", "青龙镇"], "社区"),
    ("349903", "川东区", ["解放街道", "滨江街道", "新港街道", "白鹭镇"], "社区"),
    ("349921", "临溪县", ["临溪镇", "石桥镇", "梅岭乡", "高坪乡", "双河镇"], "村"),
]
VILLAGE_NAMES = ["东门", "西关", "南湖", "北岭", "柳树", "杨家", "新华", "红星", "长青", "金桥", "桃园", "石门"]


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str
    note: str


DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin("admin", "管理员", "青川市", "系统管理：单位、用户、分类、模板"),
    DemoLogin("city_officer", "信访干部", "青川市信访局", "全市事项的登记、交办、督办"),
    DemoLogin("officer", "信访干部", "青山区信访局", "青山区事项的受理、转送、交办"),
    DemoLogin("desk", "登记员", "城关街道", "街道窗口登记"),
    DemoLogin("handler", "承办人", "青山区住房和城乡建设局", "办理转来的事项"),
    DemoLogin("head", "单位负责人", "青山区住房和城乡建设局", "审批延期、签发答复"),
    DemoLogin("leader", "领导", "青山区", "批示、包案、接访"),
    DemoLogin("analyst", "统计", "青川市信访局", "统计报表"),
    DemoLogin("desk_other", "登记员", "河西镇", "另一乡镇的窗口（看不到城关街道的事项）"),
]


def build_jurisdiction() -> dict[str, Unit]:
    """Create the org tree. Returns units by code."""
    units: dict[str, Unit] = {}

    def add(code: str, name: str, level: str, kind: str, division: str, parent: Unit | None, order: int = 0) -> Unit:
        unit = create_unit(code=code, name=name, level=level, kind=kind, division_code=division, parent=parent,
                           sort_order=order)
        units[code] = unit
        return unit

    province = add("340000", "江淮省", Level.PROVINCE, UnitKind.GOVERNMENT, "340000", None)
    add("340000-XFJ", "江淮省信访局", Level.PROVINCE, UnitKind.BUREAU, "340000", province)
    city = add("349900", "青川市", Level.CITY, UnitKind.GOVERNMENT, "349900", province)
    add("349900-XFJ", "青川市信访局", Level.CITY, UnitKind.BUREAU, "349900", city)
    for order, (suffix, name, kind) in enumerate(DEPARTMENTS):
        city_name = "青川市中级人民法院" if suffix == "FY" else f"青川市{name}"
        add(f"349900-{suffix}", city_name, Level.CITY, kind, "349900", city, order)
    for c_order, (code, name, towns, village_word) in enumerate(COUNTIES):
        county = add(code, name, Level.COUNTY, UnitKind.GOVERNMENT, code, city, c_order)
        add(f"{code}-XFJ", f"{name}信访局", Level.COUNTY, UnitKind.BUREAU, code, county)
        for order, (suffix, dept, kind) in enumerate(DEPARTMENTS):
            dept_name = f"{name}{dept}" if suffix != "GAJ" else f"青川市公安局{name}分局"
            add(f"{code}-{suffix}", dept_name, Level.COUNTY, kind, code, county, order)
        for t_index, town in enumerate(towns, start=1):
            t_code = f"{code}{t_index:03d}000"
            town_unit = add(f"{code}{t_index:03d}", town, Level.TOWN, UnitKind.GOVERNMENT, t_code, county, t_index)
            for v_index in range(1, 5):
                v_name = VILLAGE_NAMES[(t_index * 3 + v_index) % len(VILLAGE_NAMES)] + village_word
                add(f"{code}{t_index:03d}{v_index:03d}", v_name, Level.VILLAGE, UnitKind.GOVERNMENT,
                    f"{code}{t_index:03d}{v_index:03d}", town_unit, v_index)
    # 简称 of the 信访局s: the prefix of their document numbers (青山信转〔2026〕15号).
    for unit in units.values():
        if unit.kind == UnitKind.BUREAU:
            unit.short_name = unit.name.removesuffix("信访局")[:2] + "信"
            Unit.objects.filter(pk=unit.pk).update(short_name=unit.short_name)
    return units


def build_users(units: dict[str, Unit]) -> dict[str, User]:
    spec = [
        ("admin", "349900", Role.ADMIN, "郑管理", "系统管理员"),
        ("city_officer", "349900-XFJ", Role.OFFICER, "冯建华", "科员"),
        ("officer", "349902-XFJ", Role.OFFICER, "李文静", "科长"),
        ("desk", "349902001", Role.FRONT_DESK, "王晓梅", "窗口登记员"),
        ("handler", "349902-ZJJ", Role.HANDLER, "赵志强", "科员"),
        ("head", "349902-ZJJ", Role.UNIT_HEAD, "钱国平", "局长"),
        ("leader", "349902", Role.LEADER, "孙海涛", "区长"),
        ("analyst", "349900-XFJ", Role.ANALYST, "吴敏", "统计员"),
        ("desk_other", "349902004", Role.FRONT_DESK, "周丽", "窗口登记员"),
    ]
    users = {}
    password_hash = make_password(DEMO_PASSWORD)  # one hash for the nine accounts: PBKDF2 costs ~0.5 s each
    for username, code, role, name, title in spec:
        users[username] = create_user(username=username, password_hash=password_hash, unit=units[code], role=role,
                                      full_name=name, title=title)
    return users
