import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from orgs.choices import Level, UnitKind
from orgs.models import Unit
from orgs.services import UnitImportError, create_unit, import_units, save_unit

pytestmark = pytest.mark.django_db


def test_paths_describe_the_subtree(cast):
    subtree = set(Unit.objects.subtree_of(cast.county).values_list("code", flat=True))
    assert cast.town_a.code in subtree and cast.village_a.code in subtree and cast.county_bureau.code in subtree
    assert cast.city_bureau.code not in subtree
    assert cast.village_a.ancestor_ids() == [cast.province.pk, cast.city.pk, cast.county.pk, cast.town_a.pk,
                                             cast.village_a.pk]


def test_bureau_scope_root_is_its_government(cast):
    assert cast.county_bureau.scope_root == cast.county
    assert cast.unit_b.scope_root == cast.unit_b
    assert cast.unit_b.area() == cast.county
    assert cast.village_a.bureau() is None or cast.village_a.bureau() == cast.county_bureau
    assert cast.unit_b.bureau() == cast.county_bureau


def test_moving_a_unit_rewrites_its_subtree(cast):
    cast.town_a.parent = cast.city
    save_unit(cast.town_a)
    cast.village_a.refresh_from_db()
    assert cast.village_a.path.startswith(cast.city.path)
    assert cast.village_a.depth == 3


def test_cannot_move_under_own_descendant(cast):
    cast.town_a.parent = cast.village_a
    with pytest.raises(ValidationError, match="自己的下级"):
        save_unit(cast.town_a)


def test_division_code_must_be_6_or_12_digits(db):
    with pytest.raises(ValidationError):
        create_unit(code="X", name="错", level=Level.CITY, kind=UnitKind.GOVERNMENT, division_code="1234")


CSV_OK = """单位编码,名称,上级编码,层级,类型,行政区划代码
S1,示范市,,市,党政机关,359900
S1-XFJ,示范市信访局,S1,市,信访局,359900
S1-T1,示范街道,S1,乡镇/街道,党政机关,359900001000
"""


def test_import_units_with_chinese_headers(db):
    result = import_units(CSV_OK)
    assert (result.created, result.updated) == (3, 0)
    assert Unit.objects.get(code="S1-T1").parent.code == "S1"
    again = import_units(CSV_OK)
    assert (again.created, again.updated) == (0, 3)


def test_import_is_all_or_nothing_with_line_numbers(db):
    bad = CSV_OK + "S1-T2,坏单位,NOPE,镇,未知类型,12\n"
    with pytest.raises(UnitImportError) as info:
        import_units(bad)
    assert Unit.objects.count() == 0
    message = info.value.errors[0]
    assert message.startswith("第5行")
    assert "上级编码 NOPE 不存在" in message and "类型“未知类型”无法识别" in message and "行政区划代码“12”" in message


def test_import_command_dry_run_saves_nothing(db, tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_text(CSV_OK, encoding="utf-8")
    call_command("import_units", str(path), "--dry-run")
    assert "将新增 3 个单位" in capsys.readouterr().out
    assert Unit.objects.count() == 0
    call_command("import_units", str(path))
    assert Unit.objects.count() == 3


def test_import_command_reports_errors_and_fails(db, tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_text("code,name\nA,b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未保存任何数据"):
        call_command("import_units", str(path))
    assert "缺少列" in capsys.readouterr().err
