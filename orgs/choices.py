from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县/区"
    TOWN = "town", "乡镇/街道"
    VILLAGE = "village", "村/社区"


LEVEL_RANK = {Level.PROVINCE: 1, Level.CITY: 2, Level.COUNTY: 3, Level.TOWN: 4, Level.VILLAGE: 5}


class UnitKind(models.TextChoices):
    BUREAU = "bureau", "信访局"
    GOVERNMENT = "government", "党政机关"
    DEPARTMENT = "department", "职能部门"
    DISCIPLINE = "discipline", "纪委监委"
    LEGAL = "legal", "政法"
    ENTERPRISE = "enterprise", "企事业"
