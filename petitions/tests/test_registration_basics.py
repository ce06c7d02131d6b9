import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from petitions import idcard
from petitions.models import Petitioner
from petitions.services import derive_visit_level
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_numbers_are_unit_year_serial_and_query_codes_are_random(cast):
    first = make_petition(cast.town_a, actor=cast.desk_a)
    second = make_petition(cast.town_a, actor=cast.desk_a)
    year = first.received_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).year
    assert first.number == f"T349902001-{year}-000001"
    assert second.number == f"T349902001-{year}-000002"
    assert len(first.query_code) == 10 and first.query_code != second.query_code


def test_same_id_number_reuses_the_petitioner(cast):
    make_petition(cast.town_a, actor=cast.desk_a, name="张三", id_number="11010519491231002X")
    make_petition(cast.town_a, actor=cast.desk_a, name="张三", id_number="11010519491231002x")
    person = Petitioner.objects.get()
    assert person.id_verified and person.gender == "女" and person.birth_date == datetime.date(1949, 12, 31)


def test_invalid_id_is_registered_unverified_with_reason(cast):
    make_petition(cast.town_a, actor=cast.desk_a, id_number="110105194912310021")
    person = Petitioner.objects.get()
    assert not person.id_verified
    assert person.unverified_reason == "身份证号无效：身份证号校验位不正确，请核对是否录入有误"


def test_visit_level_derived_from_receiving_office(cast):
    assert derive_visit_level("visit", cast.county_bureau) == "county"
    assert derive_visit_level("visit", cast.city_bureau) == "city"
    assert derive_visit_level("visit", cast.town_a) == "local"
    assert derive_visit_level("letter", cast.city_bureau) == ""


@pytest.mark.parametrize(("raw", "message"), [
    ("1101051949123100", "身份证号应为18位，当前为16位"),
    ("99010519491231002X", "前两位“99”不是有效"),
    ("110105194902300021", "出生日期“19490230”不是有效日期"),
    ("11010519491231002A", "最后一位为数字或X"),
])
def test_idcard_errors_are_specific(raw, message):
    with pytest.raises(idcard.InvalidIdNumber, match=message):
        idcard.parse(raw)


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
       st.integers(min_value=0, max_value=999))
def test_property_any_number_with_correct_check_char_parses(birth, seq):
    first17 = f"340102{birth:%Y%m%d}{seq:03d}"
    number = first17 + idcard.check_char(first17)
    info = idcard.parse(number)
    assert info.birth_date == birth
    wrong = first17 + ("0" if number[-1] != "0" else "1")
    with pytest.raises(idcard.InvalidIdNumber):
        idcard.parse(wrong)
