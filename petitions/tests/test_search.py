"""Chinese full-text search: bigram index on both databases, filters, scoping, page and API."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from petitions import search
from petitions.models import Petition, SearchDocument
from petitions.services import PersonInput, RegistrationInput, register_contact
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db


def register(unit, actor, title, content, *, name="张三", channel="visit", kind="claim", received_at=None,
             id_number="", phone="13812345678", category=None, locality=None, attach_to=None):
    data = RegistrationInput(channel=channel, receiving_unit=unit, title=title, content=content, kind=kind,
                             received_at=received_at, category=category, locality=locality,
                             people=[PersonInput(name=name, id_number=id_number, phone=phone)])
    return register_contact(data, actor=actor, attach_to=attach_to).petition


def found(user, query, **params):
    """Titles found, checked to be the same with and without the scope shortcut and the page plan."""
    from petitions.selectors import filter_petitions

    results = []
    for kwargs in ({}, {"user": user}, {"user": user, "ordered_page": True}):
        qs, _ = filter_petitions(Petition.objects.visible_to(user), {"q": query, **params}, **kwargs)
        results.append(set(qs.values_list("title", flat=True)))
    assert results[0] == results[1] == results[2]
    return results[0]


def test_tokens_are_bigrams_plus_the_last_character_and_latin_words():
    assert search.tokens("拖欠工资") == ["拖欠", "欠工", "工资", "资"]
    assert search.tokens("A3区，路灯") == ["a3", "区", "路灯", "灯"]
    assert search.token_string("拖欠工资 OK") == "拖欠 欠工 工资 资 ok"
    assert search.fts5_query("工资 拖欠工资 资 ab") == '"工资" AND "拖欠 欠工 工资" AND "资"* AND "ab"*'
    assert search.tsquery("拖欠工资 资") == "('拖欠' <-> '欠工' <-> '工资') & ('资':*)"
    assert not search.has_terms("，。！ ")


def test_the_ideographs_left_out_of_normalisation_are_stable_code_points_of_nfkc():
    """_normalise() applies NFKC only between unified ideographs; exact if no ideograph is ever changed
    by NFKC, reordered, or part of a composition (UAX #15). Checked over every code point."""
    import sys
    import unicodedata

    stable = re.compile(f"[{search._NFKC_STABLE}]")
    in_class = [chr(c) for c in range(sys.maxunicode + 1) if stable.match(chr(c))]
    assert len(in_class) > 27000
    for char in in_class:
        assert unicodedata.normalize("NFKD", char) == char and unicodedata.combining(char) == 0
    for code in range(sys.maxunicode + 1):  # a canonical composition is the inverse of a two-character decomposition
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            assert not any(stable.match(chr(int(part, 16))) for part in parts)


@pytest.mark.parametrize("text", [
    "１２３ＡＢＣ，工资！（拖欠）", "e\u0301\u0323工e\u0323\u0301", "\u0301开头的组合符", "兼容汉字\uf900\uf901与\u2f00部首",
    "ﬁ连字㍿单位\u3000全角空格", "한국어\u1100\u1161混合", "丈\u0308夫", "\u212b\u2126工资\u00c5",
])
def test_normalising_between_ideographs_is_exactly_nfkc(text):
    import unicodedata

    assert search._normalise(text) == unicodedata.normalize("NFKC", text).lower()


def test_two_character_term_matches_the_phrase_only(cast):
    register(cast.town_a, cast.desk_a, "拖欠工资", "公司拖欠三个月工资。")
    register(cast.town_a, cast.desk_a, "路灯不亮", "小区路灯坏了，工作人员说资金不足。")
    register(cast.town_a, cast.desk_a, "欠款纠纷", "工程欠款未付。")
    assert found(cast.officer, "工资") == {"拖欠工资"}
    assert found(cast.officer, "欠工") == {"拖欠工资"}
    assert found(cast.officer, "拖欠工资") == {"拖欠工资"}
    assert found(cast.officer, "欠款") == {"欠款纠纷"}
    assert found(cast.officer, "路灯 资金") == {"路灯不亮"}
    assert found(cast.officer, "资") == {"拖欠工资", "路灯不亮"}
    assert found(cast.officer, "不存在的词") == set()


def test_petitioner_names_are_searchable_but_id_and_phone_are_never_indexed(cast):
    register(cast.town_a, cast.desk_a, "道路破损", "请求维修。", name="欧阳明月", id_number="34010219900101123X",
             phone="13912345678")
    assert found(cast.officer, "欧阳明月") == {"道路破损"}
    assert found(cast.officer, "明月") == {"道路破损"}
    assert found(cast.officer, "34010219900101123X") == set()
    assert found(cast.officer, "13912345678") == set()
    text = SearchDocument.objects.get().text
    assert "欧阳明月" in text and "3401" not in text and "1391" not in text
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM petitions_search_fts WHERE petitions_search_fts MATCH '\"13912345678\"'")
            assert cursor.fetchone()[0] == 0
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT vector::text FROM petitions_searchdocument")
            vector = cursor.fetchone()[0]
        assert "1391" not in vector and "3401" not in vector and "欧阳" in vector


def test_a_repeat_contact_makes_the_new_persons_name_searchable(cast):
    petition = register(cast.town_a, cast.desk_a, "噪声扰民", "工地夜间施工。", name="张三")
    assert found(cast.officer, "李四") == set()
    register(cast.town_a, cast.desk_a, "噪声扰民", "又来反映。", name="李四", phone="13700000000", attach_to=petition)
    assert found(cast.officer, "李四") == {"噪声扰民"}
    assert found(cast.officer, "张三") == {"噪声扰民"}


def test_search_is_scoped_like_everything_else(cast):
    register(cast.town_a, cast.desk_a, "城关拖欠工资", "请求处理。")
    register(cast.town_c, cast.outsider_c, "河西拖欠工资", "请求处理。")
    assert found(cast.desk_a, "工资") == {"城关拖欠工资"}
    assert found(cast.outsider_c, "工资") == {"河西拖欠工资"}
    assert found(cast.officer, "工资") == {"城关拖欠工资", "河西拖欠工资"}
    assert found(cast.handler_b, "工资") == set()


def test_filters_combine_with_the_term(cast):
    from petitions.models import Category

    wages = Category.objects.get(full_name="劳动和社会保障/劳动报酬/拖欠工资")
    long_ago = timezone.now() - datetime.timedelta(days=400)
    register(cast.town_a, cast.desk_a, "甲拖欠工资", "来访。", category=wages, locality=cast.village_a)
    register(cast.town_a, cast.desk_a, "乙拖欠工资", "来信。", channel="letter", received_at=long_ago)
    register(cast.county_bureau, cast.officer, "丙拖欠工资", "检举。", kind="suggestion")
    officer = cast.officer
    assert found(officer, "工资", channel="visit") == {"甲拖欠工资", "丙拖欠工资"}
    assert found(officer, "工资", kind="suggestion") == {"丙拖欠工资"}
    labour = Category.objects.get(full_name="劳动和社会保障")
    assert found(officer, "工资", category=str(labour.pk)) == {"甲拖欠工资"}
    assert found(officer, "工资", locality=str(cast.town_a.pk)) == {"甲拖欠工资"}
    assert found(officer, "工资", unit=str(cast.town_a.pk)) == {"甲拖欠工资", "乙拖欠工资"}
    assert found(officer, "工资", unit=str(cast.county_bureau.pk)) == {"丙拖欠工资"}
    assert found(officer, "工资", unit=str(cast.county.pk)) == {"甲拖欠工资", "乙拖欠工资", "丙拖欠工资"}
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert found(officer, "工资", received_from=since) == {"甲拖欠工资", "丙拖欠工资"}
    until = (timezone.localdate() - datetime.timedelta(days=300)).isoformat()
    assert found(officer, "工资", received_to=until) == {"乙拖欠工资"}
    assert found(officer, "工资", status="registered", channel="nonsense") == {"甲拖欠工资", "乙拖欠工资", "丙拖欠工资"}


def test_list_page_searches_and_keeps_filters_in_its_links(client, cast):
    for i in range(25):
        register(cast.town_a, cast.desk_a, f"拖欠工资第{i}件", "请求处理。")
    register(cast.town_a, cast.desk_a, "路灯不亮", "请求处理。")
    client.force_login(cast.officer)
    page = client.get("/petitions/", {"q": "工资", "channel": "visit"}).content.decode()
    assert "共 25 件" in page and "路灯不亮" not in page
    assert "q=%E5%B7%A5%E8%B5%84&amp;channel=visit&amp;page=2" in page
    assert 'value="工资"' in page


def test_api_search_with_filters_and_scope(cast):
    register(cast.town_a, cast.desk_a, "城关拖欠工资", "请求处理。")
    register(cast.town_c, cast.outsider_c, "河西拖欠工资", "请求处理。")
    register(cast.town_a, cast.desk_a, "城关路灯", "请求处理。", channel="letter")
    body = client_for(cast.desk_a).get("/api/petitions/", {"search": "工资"}).json()
    assert [r["title"] for r in body["results"]] == ["城关拖欠工资"] and body["count"] == 1
    assert body["count_capped"] is False
    body = client_for(cast.officer).get("/api/petitions/", {"search": "工资", "channel": "visit"}).json()
    assert {r["title"] for r in body["results"]} == {"城关拖欠工资", "河西拖欠工资"}
    body = client_for(cast.officer).get("/api/petitions/", {"channel": "letter"}).json()
    assert [r["title"] for r in body["results"]] == ["城关路灯"]


def test_search_endpoints_permission_suite(cast):
    make_petition(cast.town_a, actor=cast.desk_a)
    page = status_by_user(cast, "get", "/petitions/?q=漏水")
    assert page == {**{name: 200 for name in cast.staff}, "anonymous": 302}
    api = status_by_user(cast, "get", "/api/petitions/?search=漏水")
    assert api == {**{name: 200 for name in cast.staff}, "anonymous": 401}


def test_rebuild_all_restores_the_index(cast):
    register(cast.town_a, cast.desk_a, "拖欠工资", "请求处理。")
    register(cast.town_a, cast.desk_a, "路灯不亮", "请求处理。")
    assert search.rebuild_all() == 2
    assert found(cast.officer, "工资") == {"拖欠工资"}
    assert SearchDocument.objects.count() == 2


def test_dense_matches_use_the_page_plan_with_the_same_results(cast, monkeypatch):
    from petitions.selectors import filter_petitions

    for i in range(5):
        register(cast.town_a, cast.desk_a, f"拖欠工资{i}", "请求处理。")
    register(cast.town_c, cast.outsider_c, "河西拖欠工资", "请求处理。")
    register(cast.town_a, cast.desk_a, "路灯不亮", "请求处理。")
    expected = set(Petition.objects.filter(title__contains="工资").values_list("pk", flat=True))
    monkeypatch.setattr(search, "DENSE_MATCHES", 0)
    monkeypatch.setattr(search, "MANY_MATCHES", 0)
    page, _ = filter_petitions(Petition.objects.visible_to(cast.officer), {"q": "工资"}, ordered_page=True)
    assert set(page.values_list("pk", flat=True)) == expected
    assert [p.pk for p in page[:3]] == sorted(expected, reverse=True)[:3]
    mine, _ = filter_petitions(Petition.objects.visible_to(cast.desk_a), {"q": "工资"}, ordered_page=True)
    assert mine.count() == 5
    body = client_for(cast.officer).get("/api/petitions/", {"search": "工资", "page_size": 2}).json()
    assert body["count"] == 6 and len(body["results"]) == 2
    assert search.match_count("工资") == 6


@pytest.mark.parametrize("sort_matches", [0, 10**6], ids=["walk-date-index", "sort-matches"])
def test_search_pages_are_newest_first_with_exact_or_capped_counts(cast, monkeypatch, sort_matches):
    from petitions.paginators import SearchPaginator

    monkeypatch.setattr(search, "SORT_MATCHES", sort_matches)  # PostgreSQL's two page plans

    now = timezone.now()
    for i, days in enumerate([5, 1, 30, 2, 9, 3, 20]):
        register(cast.town_a, cast.desk_a, f"拖欠工资{i}", "请求处理。", received_at=now - datetime.timedelta(days=days))
    newest = [f"拖欠工资{i}" for i in (1, 3, 5, 0, 4, 6, 2)]
    client = client_for(cast.officer)
    body = client.get("/api/petitions/", {"search": "工资", "page_size": 3, "page": 2}).json()
    assert [r["title"] for r in body["results"]] == newest[3:6]
    assert body["count"] == 7 and body["count_capped"] is False
    monkeypatch.setattr(SearchPaginator, "COUNT_CAP", 5)
    body = client.get("/api/petitions/", {"search": "工资", "page_size": 3}).json()
    assert [r["title"] for r in body["results"]] == newest[:3]
    assert body["count"] == 5 and body["count_capped"] is True
    page = client.get("/petitions/", {"q": "工资"}).content.decode()
    assert "共 5+ 件" in page


def test_narrow_scopes_are_towns_villages_and_departments(cast):
    from petitions.selectors import narrow_scope_path

    assert narrow_scope_path(cast.desk_a) == cast.town_a.path
    assert narrow_scope_path(cast.handler_b) == cast.unit_b.path
    assert narrow_scope_path(cast.officer) == "" and narrow_scope_path(cast.city_officer) == ""
    assert narrow_scope_path(cast.leader) == ""


def test_many_matches_with_an_indexed_filter_give_the_same_results(cast, monkeypatch):
    from petitions.models import Category

    wages = Category.objects.get(full_name="劳动和社会保障/劳动报酬/拖欠工资")
    register(cast.town_a, cast.desk_a, "甲拖欠工资", "来访。", category=wages, locality=cast.village_a)
    register(cast.town_a, cast.desk_a, "乙拖欠工资", "来访。")
    monkeypatch.setattr(search, "MANY_MATCHES", 0)
    assert found(cast.officer, "工资", category=str(wages.pk)) == {"甲拖欠工资"}
    assert found(cast.officer, "工资", locality=str(cast.town_a.pk)) == {"甲拖欠工资"}
    assert found(cast.officer, "工资", unit=str(cast.town_a.pk)) == {"甲拖欠工资", "乙拖欠工资"}
    assert found(cast.desk_a, "工资", unit=str(cast.town_c.pk)) == set()


def test_the_index_holds_the_bigram_tokens(cast):
    text = "拖欠工资！A3区，2024年 拖欠"
    assert search.token_string(text) == "拖欠 欠工 工资 资 a3 区 2024 年 拖欠 欠"
    petition = register(cast.town_a, cast.desk_a, text, "来访。")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT vector::text FROM petitions_searchdocument WHERE petition_id = %s", [petition.pk])
            vector = cursor.fetchone()[0]
        for lexeme in ("'拖欠':1,9", "'欠工':2", "'工资':3", "'a3':5", "'2024':7"):
            assert lexeme in vector
    assert found(cast.desk_a, "欠工资") == {text}


def test_a_word_too_long_to_index_does_not_stop_the_registration(cast):
    long_word = "x" * 3000  # PostgreSQL indexes words up to 2047 bytes
    register(cast.town_a, cast.desk_a, "附件链接", f"链接 {long_word} 请处理工资问题。")
    assert found(cast.desk_a, "工资") == {"附件链接"}


@pytest.mark.parametrize("recent", [1, 5000], ids=["index", "newest-documents"])
def test_newest_matches_of_a_phrase(cast, monkeypatch, recent):
    monkeypatch.setattr(search, "RECENT_DOCUMENTS", recent)  # PostgreSQL looks among the newest first
    made = [register(cast.town_a, cast.desk_a, f"幸福里小区电梯停运{i}", "请求处理。") for i in range(3)]
    register(cast.town_a, cast.desk_a, "路灯不亮", "小区路灯坏了。")  # the newest, without the phrase
    newest = search.newest_matching(Petition.objects.all(), "小区电梯停运", 2)
    assert sorted(newest.values_list("pk", flat=True)) == sorted(p.pk for p in made[1:])
    assert not search.newest_matching(Petition.objects.all(), "电梯停运很久", 2).exists()


def test_a_caller_may_settle_for_fewer_of_the_newest_matches(cast, monkeypatch):
    made = [register(cast.town_a, cast.desk_a, f"幸福里小区电梯停运{i}", "请求处理。") for i in range(3)]
    register(cast.town_a, cast.desk_a, "路灯不亮", "小区路灯坏了。")
    monkeypatch.setattr(search, "RECENT_DOCUMENTS", 2)  # the two newest: the last match and the street light
    settled = search.newest_matching(Petition.objects.all(), "小区电梯停运", 2, enough=1)
    complete = search.newest_matching(Petition.objects.all(), "小区电梯停运", 2)
    assert sorted(complete.values_list("pk", flat=True)) == [made[1].pk, made[2].pk]
    if connection.vendor == "postgresql":  # one match among the newest is enough: no look further back
        assert list(settled.values_list("pk", flat=True)) == [made[2].pk]
    else:  # SQLite's index hands over the newest matches directly
        assert sorted(settled.values_list("pk", flat=True)) == [made[1].pk, made[2].pk]


def test_the_page_walk_is_planned_without_parallel_workers_and_the_setting_does_not_leak():
    from petitions.paginators import serial_plans

    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans serially")

    def workers() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]

    before = workers()
    with serial_plans():
        assert workers() == "0"
    assert workers() == before



def test_facet_filters_are_answered_inside_the_index_with_the_same_results(cast):
    """PostgreSQL: category, kind and channel are lexemes of the document too (search.FACET_MARK)."""
    import importlib

    from petitions.models import Category

    wages = Category.objects.get(full_name="劳动和社会保障/劳动报酬/拖欠工资")
    visit = register(cast.town_a, cast.desk_a, "甲拖欠工资", "来访。", category=wages)
    register(cast.town_a, cast.desk_a, "乙拖欠工资", "来信。", channel="letter", kind="suggestion")
    labour = Category.objects.get(full_name="劳动和社会保障")
    other = Category.objects.get(full_name="城乡建设")
    assert found(cast.officer, "工资", category=str(labour.pk), kind="claim", channel="visit") == {"甲拖欠工资"}
    assert found(cast.officer, "工资", category=str(other.pk)) == set()
    assert found(cast.officer, "工资", kind="suggestion", channel="letter") == {"乙拖欠工资"}
    assert found(cast.officer, "工资", kind="suggestion", channel="visit") == set()
    migration = importlib.import_module("petitions.migrations.0011_search_facets")
    assert migration.FACETS == search.FACET_VECTOR  # documents written before and after the migration agree
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT array(SELECT lexeme FROM unnest(vector) WHERE lexeme LIKE '§%%' ORDER BY 1) "
                       "FROM petitions_searchdocument WHERE petition_id = %s", [visit.pk])
        assert cursor.fetchone()[0] == sorted([f"§c{wages.pk}", "§hvisit", "§kclaim"])
    groups = search.facets(category_ids=[labour.pk, wages.pk], kind="claim")
    sql, params = search.match_sql("工资", facet_groups=groups)
    assert params[1] == f"('§c{labour.pk}' | '§c{wages.pk}') & ('§kclaim')"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert [row[0] for row in cursor.fetchall()] == [visit.pk]
    search.reindex([visit.pk])  # a re-indexed document keeps its facets
    assert found(cast.officer, "工资", category=str(labour.pk)) == {"甲拖欠工资"}


def _vectors(ids):
    with connection.cursor() as cursor:
        cursor.execute("SELECT petition_id, vector::text FROM petitions_searchdocument WHERE petition_id = ANY(%s)",
                       [list(ids)])
        return dict(cursor.fetchall())


@pytest.mark.parametrize("helper", ["connects", "cannot-connect", "loses-connection"])
def test_vectors_made_on_the_helper_connection_are_the_writers_own(cast, monkeypatch, helper):
    """A large batch on PostgreSQL has half its vectors made by a second connection (search._VectorHelper);
    the index must hold exactly what the writing connection makes, and a helper that fails changes nothing."""
    import psycopg

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's FTS5 indexes in-process")
    texts = ["拖欠工资！A3区，2024年 拖欠", "幸福里小区电梯停运，请求维修。", "x" * 3000 + " 附件链接 工资", "路灯不亮",
             "征地补偿款没有发放到位"]
    made = [register(cast.town_a, cast.desk_a, text[:50], text, name=f"李{i}") for i, text in enumerate(texts)]
    ids = [p.pk for p in made]
    written = _vectors(ids)  # one document at a time: the writing connection parses it
    assert len(written) == len(texts)
    monkeypatch.setattr(search, "PARALLEL_DOCUMENTS", 1)
    monkeypatch.setattr(search, "PIPELINE_DOCUMENTS", 2)  # parts 0 and 2 go to the helper, part 1 stays
    submitted = []
    submit = search._VectorHelper.submit
    monkeypatch.setattr(search._VectorHelper, "submit", lambda self, tokens: submitted.append(tokens) or submit(
        self, tokens))
    if helper == "cannot-connect":
        def refuse(*args, **kwargs):
            raise psycopg.OperationalError("connection refused")
        monkeypatch.setattr(search.psycopg, "connect", refuse)
    elif helper == "loses-connection":
        def lost(self, tokens):
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        monkeypatch.setattr(search._VectorHelper, "_vectors", lost)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE petitions_searchdocument SET vector = ''::tsvector WHERE petition_id = ANY(%s)", [ids])
    assert search.reindex(ids) == len(texts)
    assert _vectors(ids) == written
    assert len(submitted) == (0 if helper == "cannot-connect" else 2)
    assert found(cast.desk_a, "欠工资") == {texts[0][:50]}
