"""The 排查预警 page lists real hot topics with the matters behind each figure, and the 信访简报 draft
(stats) carries the same topics, its figure clicking down to that page for the report's period."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from petitions.models import Petition
from stats import services as stats_services
from stats.periods import Period
from xinfang.testing import client_for, make_petition

pytestmark = pytest.mark.django_db

WATER = ["幸福小区停水三天，自来水没有恢复", "幸福小区停水三天了，自来水公司不管", "幸福小区停水，自来水三天没有恢复",
         "幸福小区连续停水三天，自来水没有恢复", "幸福小区又停水三天，自来水一直没有恢复"]
NOISE = ["东门菜市场凌晨卸货噪音扰民", "东门菜市场每天凌晨卸货，噪音扰民严重", "东门菜市场凌晨卸货噪音太大扰民"]
OTHER = ["河西镇中学食堂饭菜价格太贵", "某公司拖欠员工工资三个月", "建议在人民公园增加健身器材", "路灯不亮晚上出行不便"]


def registered(cast, titles, *, days_ago=0.0):  # noqa: ANN001, ANN201
    out = []
    for n, title in enumerate(titles):
        p = make_petition(cast.town_a, actor=cast.desk_a, title=title)
        Petition.objects.filter(pk=p.pk).update(received_at=timezone.now() - datetime.timedelta(days=days_ago,
                                                                                                minutes=n))
        out.append(p)
    return out


def topic_rows(page: str) -> list[tuple[int, list[int]]]:
    """(件数 figure, matter ids behind it) of each hot-topic row of the page, in order."""
    body = page.split('data-testid="hot-topics"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in body.split("<tr>")[2:]:
        size = int(re.findall(r'<td class="text-end">(\d+)</td>', row)[0])
        listed = row.split('data-testid="topic-matters"', 1)[1].split("</ul>", 1)[0]
        rows.append((size, [int(pk) for pk in re.findall(r'href="/petitions/(\d+)/"', listed)]))
    return rows


def test_page_lists_the_clusters_with_the_matters_behind_each_figure(cast, insight_dir):
    water = registered(cast, WATER)
    noise = registered(cast, NOISE, days_ago=1)
    registered(cast, OTHER, days_ago=2)
    secret = make_petition(cast.town_a, actor=cast.desk_a, kind="accusation", accused_unit=cast.unit_b,
                           title="幸福小区停水三天是因为局长受贿")
    officer = client_for(cast.officer)
    page = officer.get(reverse("insight:home")).content.decode()
    rows = topic_rows(page)
    assert [(size, sorted(ids)) for size, ids in rows] == [
        (5, sorted(p.pk for p in water)), (3, sorted(p.pk for p in noise))]
    assert secret.number not in page and f'href="/petitions/{secret.pk}/"' not in page
    assert "停水" in page.split('data-testid="hot-topics"', 1)[1].split("</tr>", 2)[1]  # keywords of the first
    # every link clicks down to its matter
    for _size, ids in rows:
        for pk in ids:
            detail = officer.get(reverse("petitions:detail", args=[pk]))
            assert detail.status_code == 200 and Petition.objects.get(pk=pk).number in detail.content.decode()


def test_bulletin_draft_includes_the_hot_topics_and_clicks_down_to_them(cast, insight_dir):
    water = registered(cast, WATER)
    registered(cast, OTHER, days_ago=1)
    period = Period.current_month()
    if (timezone.localdate() - period.start).days < 1:  # the matters are dated up to a day back
        period = Period.recognise(timezone.localdate() - datetime.timedelta(days=27), timezone.localdate())
    bulletin = stats_services.create_draft(actor=cast.analyst, unit=cast.county, kind="bulletin", period=period)
    lines = bulletin.body.splitlines()
    section = lines[lines.index("三、热点问题") + 1]
    assert section.startswith("（一）幸福小区") and "停水" in section and "本期5件次" in section

    from stats import selectors as stats_selectors
    from stats.scope import Scope

    topic = stats_selectors.hot_topics(Scope.of(cast.county), period)[0]
    assert topic.source == "insight" and topic.contacts == 5
    assert topic.url == (f"{reverse('insight:home')}?start={period.start:%Y-%m-%d}&end={period.end:%Y-%m-%d}")
    page = client_for(cast.officer).get(topic.url).content.decode()
    assert f"{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}" in page
    size, ids = topic_rows(page)[0]
    assert size == 5 and sorted(ids) == sorted(p.pk for p in water)


def test_a_past_period_shows_that_periods_topics(cast, insight_dir):
    old = registered(cast, WATER, days_ago=60)
    registered(cast, NOISE)
    start = timezone.localdate() - datetime.timedelta(days=70)
    end = timezone.localdate() - datetime.timedelta(days=50)
    url = f"{reverse('insight:home')}?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    page = client_for(cast.officer).get(url).content.decode()
    assert [sorted(ids) for _size, ids in topic_rows(page)] == [sorted(p.pk for p in old)]
    recent = client_for(cast.officer).get(reverse("insight:home")).content.decode()
    assert all(f'href="/petitions/{p.pk}/"' not in recent.split('data-testid="hot-topics"', 1)[1] for p in old)
    # a half-year or a year (the periods of a 信访简报) is shown as asked
    year_start = timezone.localdate() - datetime.timedelta(days=365)
    year = client_for(cast.officer).get(
        f"{reverse('insight:home')}?start={year_start:%Y-%m-%d}&end={timezone.localdate():%Y-%m-%d}").content.decode()
    assert "近 30 天" not in year and all(f'href="/petitions/{p.pk}/"' in year for p in old)
    # a malformed or too long period falls back to the last 30 days
    for bad in ("start=2026-13-01&end=2026-12-31", f"start={end:%Y-%m-%d}&end={start:%Y-%m-%d}",
                "start=2024-01-01&end=2025-12-31"):
        assert "近 30 天" in client_for(cast.officer).get(f"{reverse('insight:home')}?{bad}").content.decode()
