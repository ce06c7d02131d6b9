"""GB 11643-1999 citizen ID numbers: checksum, birth date, region."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
}


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: datetime.date
    gender: str
    region_code: str


class InvalidIdNumber(ValueError):
    pass


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse(raw: str, *, today: datetime.date | None = None) -> IdInfo:
    """Validate an 18-digit ID number and return what it encodes, or raise InvalidIdNumber (Chinese)."""
    number = "".join((raw or "").split()).upper()
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号应为18位，当前为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("身份证号前17位应为数字，最后一位为数字或X")
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(f"身份证号前两位“{number[:2]}”不是有效的省级行政区划代码")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号中的出生日期“{number[6:14]}”不是有效日期") from None
    today = today or datetime.date.today()  # noqa: DTZ011 - a calendar date, compared with a birth date
    if birth > today or birth.year < 1880:
        raise InvalidIdNumber(f"身份证号中的出生日期“{birth:%Y-%m-%d}”不合理")
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber("身份证号校验位不正确，请核对是否录入有误")
    gender = "男" if int(number[16]) % 2 else "女"
    return IdInfo(number=number, birth_date=birth, gender=gender, region_code=number[:6])
