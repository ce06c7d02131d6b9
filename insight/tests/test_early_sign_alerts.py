import pytest
from django.utils import timezone

from insight import services
from insight.models import EarlySignAlert
from insight.tests.app_data import place
from notifications.models import Notification
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db

WATER = [
    "东门社区幸福小区又停水了，已经三天没有自来水，老人孩子生活困难",
    "幸福小区停水三天没人管，自来水公司电话打不通，生活很困难",
    "我们幸福小区停水好几天了，自来水一直没有恢复，请求尽快恢复供水",
    "东门社区幸福小区停水，自来水管道爆裂三天还没修好",
    "幸福小区居民反映停水问题，自来水公司说在抢修但三天了还没有水",
    "幸福小区已经连续停水，自来水什么时候恢复，居民生活很困难",
]


def water_matters(cast, texts, days_ago=1.0):
    made = []
    for n, text in enumerate(texts):
        p = make_petition(cast.town_a, actor=cast.desk_a, title=text)
        place(p, cast.village_a, days_ago + n * 0.5)
        made.append(p)
    return made


def test_k_similar_matters_of_one_locality_alert_its_unit_and_the_bureau_once(cast, settings):
    settings.INSIGHT_EARLY_SIGN_K = 5
    settings.INSIGHT_EARLY_SIGN_DAYS = 7
    matters = water_matters(cast, WATER[:5])
    other = make_petition(cast.town_a, actor=cast.desk_a, title="城关街道菜市场门口占道经营严重")
    place(other, cast.village_a, 1)
    secret = make_petition(cast.town_a, actor=cast.desk_a, kind="accusation", accused_unit=cast.unit_b,
                           title="幸福小区停水三天，自来水公司经理收受贿赂")
    place(secret, cast.village_a, 1)

    alerts = services.alert_early_signs()
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.locality == cast.village_a
    assert sorted(alert.matter_ids) == sorted(p.pk for p in matters)  # not the other topic, never the accusation
    assert "停水" in alert.keywords
    # the village has no staff: its town (desk_a) is told, and the county 信访局 (officer, analyst)
    assert [u.pk for u in services.early_sign_units(cast.village_a)] == [cast.town_a.pk, cast.county_bureau.pk]
    told = Notification.objects.filter(title__startswith="苗头预警")
    assert sorted(n.recipient.username for n in told) == ["analyst", "desk_a", "officer"]
    assert alert.recipients == 3
    body = told.get(recipient=cast.officer).body
    assert all(p.number in body for p in matters) and secret.number not in body
    assert "东门社区" in told.first().title

    # the next run finds the same sign: no second alert, nobody told twice
    assert services.alert_early_signs() == []
    assert told.count() == 3
    # a sixth matter joins the sign: the alert's list grows, still no new notification
    sixth = water_matters(cast, WATER[5:])[0]
    assert services.alert_early_signs() == []
    assert EarlySignAlert.objects.get().matter_ids[-1] == sixth.pk
    assert told.count() == 3


def test_fewer_than_k_or_spread_over_more_than_d_days_is_no_alert(cast, settings):
    settings.INSIGHT_EARLY_SIGN_K = 5
    water_matters(cast, WATER[:4])
    assert services.alert_early_signs() == []
    settings.INSIGHT_EARLY_SIGN_K = 4
    settings.INSIGHT_EARLY_SIGN_DAYS = 1  # four matters over 1.5 days: at most three within one day
    assert services.alert_early_signs() == []
    assert services.alert_early_signs(k=4, days=7, now=timezone.now())[0].recipients == 3
    assert not Notification.objects.filter(recipient=cast.outsider_c).exists()


def test_the_periodic_task_is_registered_and_runs(cast, settings):
    from insight import tasks

    assert (tasks.check_early_signs, 3600) in tasks.PERIODIC
    assert (tasks.retrain_suggesters, 3600) in tasks.PERIODIC
    settings.INSIGHT_EARLY_SIGN_K = 5
    water_matters(cast, WATER[:5])
    assert tasks.check_early_signs.call() == 1
    assert tasks.check_early_signs.call() == 0


def test_the_prevention_page_shows_signs_and_alerts(cast, settings):
    from django.urls import reverse

    from xinfang.testing import client_for

    settings.INSIGHT_EARLY_SIGN_K = 5
    matters = water_matters(cast, WATER)
    alert = services.alert_early_signs()[0]
    page = client_for(cast.officer).get(reverse("insight:home")).content.decode()
    for testid in ("early-sign-alerts", "early-signs"):
        assert f'data-testid="{testid}"' in page
    assert f'id="sign-{alert.pk}"' in page and "东门社区" in page
    assert all(p.number in page for p in matters)
