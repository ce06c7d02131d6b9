"""Pages, exports, API and CLI: who may see what, and that every channel shows the same figures."""

import io
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from docx import Document as DocxDocument
from openpyxl import load_workbook

from audit.models import AuditEntry
from xinfang.testing import client_for, status_by_user

pytestmark = pytest.mark.django_db

H1 = "from=2026-01-01&to=2026-06-30"
LOGIN = 302


def test_dashboard_permissions(world, on_today):
    c = world.cast
    expected = {"desk_a": 403, "officer": 200, "handler_b": 403, "head_b": 200, "leader": 200, "outsider_c": 403,
                "analyst": 200, "admin": 200, "city_officer": 200, "anonymous": LOGIN}
    assert status_by_user(c, "get", "/stats/") == expected
    # A unit outside one's scope is not found, as a matter would be; the city sees the county.
    county = status_by_user(c, "get", f"/stats/?unit={c.county.pk}")
    assert county == {**expected, "head_b": 404}
    assert status_by_user(c, "get", f"/stats/?unit={c.city.pk}&{H1}") == {
        **expected, "officer": 404, "head_b": 404, "leader": 404, "analyst": 404}


def test_dashboard_shows_the_figures_and_their_links(world, on_today):
    c = world.cast
    client = client_for(c.analyst)
    query = f"unit={c.county.pk}&period=half&year=2026&n=1"
    response = client.get(f"/stats/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年上半年受理群众来信来访" in html
    assert re.search(r'data-metric="visit_people">\s*<div class="label">来访（人次）</div>\s*<div class="value">22</div>',
                     html)
    # The heavier parts load right after the first paint, for the same scope and period.
    parts = re.findall(r'hx-get="(/stats/parts/\w+/\?[^"]+)"', html)
    assert [p.split("/")[3] for p in parts] == ["rates", "charts", "work", "ranking"]
    charts = client.get(parts[1].replace("&amp;", "&")).content.decode()
    data = json.loads(re.search(r'<script id="stats-data" type="application/json">(.*?)</script>', charts, re.S)[1])
    months = data["trend"]["labels"]
    assert months[0] == "2025年7月" and months[-1] == "2026年6月"
    contacts = dict(zip(months, data["trend"]["series"][0]["data"], strict=True))
    assert contacts["2026年1月"] == 3 and contacts["2026年5月"] == 2 and contacts["2026年6月"] == 1
    assert {d["name"]: d["value"] for d in data["category"]} == {"城乡建设": 7, "劳动社保": 2, "未分类": 2}
    rates = client.get(parts[0].replace("&amp;", "&")).content.decode()
    assert re.search(r'data-metric="on_time_acceptance"[^>]*>\s*<div class="label">及时受理率</div>\s*'
                     r'<div class="value">60.0%</div>', rates)
    work = client.get(parts[2].replace("&amp;", "&")).content.decode()
    # Overdue today (2026-07-20): X1 V2 V3 O2 X2 Y1–Y4 at triage, P1 unanswered; the analyst sees all ten.
    assert 'data-testid="overdue-count">10件<' in work and world.matters["P1"].number in work
    ranking = client.get(parts[3].replace("&amp;", "&")).content.decode()
    assert "青山区信访局" in ranking and "城关街道" in ranking
    for page in (html, charts, rates, work, ranking):
        assert "style=" not in page  # CSP: no inline styles
        assert "<script>" not in page  # CSP: no inline scripts
    assert client.get(f"/stats/parts/nope/?{query}").status_code == 404
    assert client.get(f"/stats/parts/rates/?unit={c.city.pk}").status_code == 404
    assert client_for(c.handler_b).get(f"/stats/parts/rates/?{query}").status_code == 403


def test_drilldown_lists_visible_matters_and_says_how_many_are_hidden(world, on_today):
    c = world.cast
    url = f"/stats/drill/level_city_people/?unit={c.county.pk}&{H1}"
    response = client_for(c.analyst).get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "到市访（人次）" in html and "青山区 · 2026年上半年" in html
    # C1 was received by the city bureau and never came down: the county counts it but may not open it.
    assert re.search(r"<strong>7</strong>人次，涉及信访事项 <strong>1</strong> 件", html)
    assert 'data-testid="drill-hidden">1<' in html
    assert world.matters["C1"].number not in html
    city = client_for(c.city_officer).get(url).content.decode()
    assert world.matters["C1"].number in city and "drill-hidden" not in city


def test_drilldown_of_a_breakdown_segment_and_bad_parameters(world, on_today):
    c = world.cast
    client = client_for(c.analyst)
    category = world.categories["城乡建设"].pk
    html = client.get(f"/stats/drill/contacts/?unit={c.county.pk}&{H1}&dim=category1&key={category}").content.decode()
    assert "一级分类：城乡建设" in html and re.search(r"<strong>7</strong>件次，涉及信访事项 <strong>6</strong> 件", html)
    for label in ("L3", "L1", "L2", "P1", "F1", "V2"):
        assert world.matters[label].number in html
    assert client.get(f"/stats/drill/nope/?unit={c.county.pk}&{H1}").status_code == 404
    assert client.get(f"/stats/drill/contacts/?unit={c.county.pk}&{H1}&dim=bogus&key=1").status_code == 404
    assert client.get(f"/stats/drill/on_time_closing/?unit={c.county.pk}&{H1}&part=bogus").status_code == 404
    assert client.get(f"/stats/drill/contacts/?unit={c.county.pk}&from=2026-13-01&to=x").status_code == 404
    assert client.get(f"/stats/drill/contacts/?unit={c.city.pk}&{H1}").status_code == 404


def test_every_link_on_the_report_page_leads_to_a_list_of_the_right_size(world, on_today):
    c = world.cast
    client = client_for(c.city_officer)
    html = client.get(f"/stats/report/?unit={c.county.pk}&period=half&year=2026&n=1").content.decode()
    assert "青山区信访工作半年报（2026年上半年）" in html
    links = re.findall(r'<a href="(/stats/drill/[^"]+)">([^<]+)</a>', html)
    assert len(links) > 150
    checked = 0
    for href, text in links:
        if not text.isdigit():
            continue
        href = href.replace("&amp;", "&")
        query = parse_qs(urlparse(href).query)
        page = client.get(href).content.decode()
        metric = href.split("/")[3]
        if metric in ("matters", "new_matters") or "part" in query or metric.startswith(("dispatch", "supervised")):
            assert f"涉及信访事项 <strong>{text}</strong> 件" in page, href
        else:
            assert f"<strong>{text}</strong>" in page, href
        checked += 1
    assert checked > 100


def test_report_exports(world, on_today):
    c = world.cast
    client = client_for(c.analyst)
    query = f"unit={c.county.pk}&{H1}"
    response = client.get(f"/stats/report/export.xlsx?{query}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "说明" and "来信来访总体情况" in book.sheetnames
    sheet = book["来信来访总体情况"]
    rows = {row[0].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=3)}
    assert rows["来信来访总量"][1:5] == ["件（人）次", 28, 11, 154.5]
    assert sheet.cell(row=3, column=3).hyperlink.target.startswith("http://testserver/stats/drill/total/")
    response = client.get(f"/stats/report/export.docx?{query}")
    document = DocxDocument(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026年上半年受理群众来信来访28件次" in text
    first = document.tables[0]
    assert [cell.text for cell in first.rows[1].cells][:5] == ["来信来访总量", "件（人）次", "28", "11", "+154.5%"]
    east_asia = {r._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
                 for p in document.paragraphs for r in p.runs}
    assert east_asia <= {"宋体", "仿宋", "黑体"} and east_asia
    assert AuditEntry.objects.filter(action="export", actor=c.analyst).count() == 2
    assert client.get(f"/stats/report/export.pdf?{query}").status_code == 404


def test_annual_report(world, on_today):
    c = world.cast
    html = client_for(c.analyst).get(f"/stats/annual/?unit={c.county.pk}&year=2026").content.decode()
    assert "青山区2026年度信访工作情况报告" in html
    for title in ("被投诉较多的机关", "转送、交办、督办情况", "建议意见及采纳情况"):
        assert title in html
    # 住建局 handled L3 L1 L2 P1 F1 V1 in 2026; the county bureau transferred those six.
    assert re.search(r"<td>青山区住房和城乡建设局</td><td class=\"num\"><a href=\"[^\"]+\">6</a>", html)
    assert re.search(r"<td>转送</td><td class=\"num\"><a href=\"[^\"]+\">6</a>", html)
    # L3 is the one suggestion; its reply explained (not adopted).
    assert re.search(r"<td>收到建议意见</td><td class=\"num\"><a href=\"[^\"]+\">1</a>", html)
    assert re.search(r"<td>采纳（答复意见为支持）</td><td class=\"num\"><a href=\"[^\"]+\">0</a>", html)


def test_api_and_cli_return_the_same_object(world, on_today):
    c = world.cast
    response = client_for(c.analyst).get(f"/api/stats/?unit={c.county.code}&{H1}")
    assert response.status_code == 200
    api = response.json()
    out = io.StringIO()
    call_command("stats", "--unit", c.county.code, "--from", "2026-01-01", "--to", "2026-06-30", "--json", stdout=out)
    assert json.loads(out.getvalue()) == api
    assert {k: api[k] for k in ("letters", "visit_groups", "visit_people", "online", "phone", "total", "matters",
                                "contacts", "collective_groups", "collective_people", "collective_share",
                                "level_city_groups", "level_city_people", "level_province_groups",
                                "level_province_people", "level_capital_groups", "level_capital_people")} == {
        "letters": 3, "visit_groups": 4, "visit_people": 22, "online": 2, "phone": 1, "total": 28, "matters": 10,
        "contacts": 11, "collective_groups": 2, "collective_people": 18, "collective_share": 64.3,
        "level_city_groups": 1, "level_city_people": 7, "level_province_groups": 1, "level_province_people": 2,
        "level_capital_groups": 1, "level_capital_people": 5}
    assert (api["letters_yoy"], api["phone_yoy"], api["collective_people_yoy"], api["level_city_people_yoy"]) == (
        200.0, None, 125.0, -22.2)
    assert api["collective_share_yoy"] == -8.4  # 64.3% against 8 of 11 (72.7%): percentage points
    assert (api["on_time_acceptance"], api["on_time_closing"], api["rating_rate"], api["satisfaction"],
            api["repeat_rate"], api["online_share"], api["resolution_rate"]) == (60.0, 66.7, 75.0, 66.7, 9.1, 18.2,
                                                                                 50.0)
    assert "leader_case_resolution_rate" in api


def test_api_scope_and_errors(world, on_today):
    c = world.cast
    analyst = client_for(c.analyst)
    assert analyst.get(f"/api/stats/?unit={c.city.code}&{H1}").status_code == 404
    assert analyst.get(f"/api/stats/?unit=NOPE&{H1}").status_code == 404
    bad = analyst.get(f"/api/stats/?unit={c.county.code}&from=2026-06-30&to=2026-01-01")
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.json()["detail"]
    assert client_for(c.handler_b).get("/api/stats/").status_code == 403
    assert client_for(None).get("/api/stats/").status_code in (401, 403)
    own = analyst.get(f"/api/stats/?{H1}").json()
    assert own["unit"] == c.county.code and own["total"] == 28
    rows = analyst.get(f"/api/stats/drilldown/?metric=collective_groups&unit={c.county.code}&{H1}").json()
    assert rows["count"] == 2 and rows["total_matters"] == 2 and rows["unit"] == "批"
    assert {r["number"] for r in rows["results"]} == {world.matters["V2"].number, world.matters["V3"].number}
    assert analyst.get(f"/api/stats/drilldown/?metric=bogus&{H1}").status_code == 400


def test_cli_table_and_errors(world, on_today):
    out = io.StringIO()
    call_command("stats", "--unit", world.cast.county.code, "--from", "2026-01-01", "--to", "2026-06-30", stdout=out)
    text = out.getvalue()
    assert "青山区  2026年上半年" in text and re.search(r"来访（人次）\s+22  同比 \+144\.4%", text)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="单位编码“X”不存在"):
        call_command("stats", "--unit", "X", "--from", "2026-01-01", "--to", "2026-06-30")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("stats", "--unit", world.cast.county.code, "--from", "2026-1-1x", "--to", "2026-06-30")


def test_every_figure_on_the_pages_is_a_link(world, on_today):
    """Report, annual report and dashboard: every number (counts, rates, shares and changes) opens the
    matters behind it (a change: those it is compared with); only "—" (nothing to count) is plain."""
    c = world.cast
    client = client_for(c.city_officer)
    pages = [client.get(f"/stats/report/?unit={c.county.pk}&period=half&year=2026&n=1").content.decode(),
             client.get(f"/stats/annual/?unit={c.county.pk}&year=2026").content.decode()]
    for html in pages:
        cells = re.findall(r'<td class="num">(.*?)</td>', html)
        assert len(cells) > 100
        plain = [cell for cell in cells if not re.fullmatch(r'<a href="/stats/drill/[^"]+">[^<]+</a>', cell)]
        assert set(plain) <= {"—"}, plain[:5]
    query = f"unit={c.county.pk}&period=half&year=2026&n=1"
    dashboard = client.get(f"/stats/?{query}").content.decode()
    rates = client.get(f"/stats/parts/rates/?{query}").content.decode()
    for html in (dashboard, rates):
        changes = re.findall(r'(同比|环比) (<a [^>]*href="/stats/drill/[^"]+"[^>]*>[^<]+</a>|<span>—</span>)', html)
        assert changes and len(changes) == html.count("同比 ") + html.count("环比 ")
    # 集体访 was 8人次 in 2025 H1 (Y2) and 18 in 2026 H1: +125.0%, opening the 2025 matters.
    link = re.search(r'data-metric="collective_people">.*?同比 <a [^>]*href="([^"]+)"[^>]*>\+125.0%</a>', dashboard,
                     re.S)
    assert link and "from=2025-01-01" in link[1] and "to=2025-06-30" in link[1]
