import csv

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from insight.tests.app_data import history
from insight.tests.synthetic import TOPICS, corpus
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db

HOUSING, WAGES, SCHOOL = list(TOPICS)


def test_prevention_page_is_for_officers_only(cast, insight_dir):
    assert status_by_user(cast, "get", reverse("insight:home")) == {
        "desk_a": 403, "officer": 200, "handler_b": 403, "head_b": 403, "leader": 403, "outsider_c": 403,
        "analyst": 403, "admin": 200, "city_officer": 200, "anonymous": 302}  # admin: superuser


def test_nav_entry_points_at_the_prevention_page(cast):
    page = client_for(cast.officer).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("insight:home")}"' in page and "排查预警" in page
    assert "排查预警" not in client_for(cast.desk_a).get(reverse("core:home")).content.decode()


def test_suggestions_fragment_on_the_registration_form(cast, suggesters):
    url = reverse("insight:suggest")
    data = {"title": "楼盘逾期交房", "content": "开发商合同约定去年交房，至今逾期没有交付"}
    assert client_for(cast.handler_b).post(url, data).status_code == 403
    page = client_for(cast.desk_a).post(url, data).content.decode()
    assert page.count('data-testid="suggest-level"') == 3
    assert "城乡建设/房地产市场/逾期交房" in page and "依据：" in page and cast.unit_b.name in page
    result = client_for(cast.desk_a).post(url + "?format=json", data).json()["suggestions"]
    assert result["levels"][0][0]["label"] == "城乡建设" and result["unit"][0]["name"] == cast.unit_b.name
    form = client_for(cast.desk_a).get(reverse("petitions:register")).content.decode()
    assert f'hx-post="{url}"' in form and 'data-testid="suggestion-slot"' in form


def test_matter_page_panel_lists_similar_matters_the_user_may_see(cast, insight_dir):
    first = make_petition(cast.town_a, actor=cast.desk_a, title="幸福小区电梯经常故障困人，物业不维修")
    second = make_petition(cast.town_a, actor=cast.desk_a, title="幸福小区电梯又故障困人了，物业还是不维修")
    make_petition(cast.town_a, actor=cast.desk_a, kind="accusation", accused_unit=cast.unit_b,
                  title="幸福小区电梯经常故障困人，物业不维修，局长包庇")
    url = reverse("insight:matter_panel", args=[first.pk])
    assert client_for(cast.outsider_c).get(url).status_code == 404
    data = client_for(cast.desk_a).get(url + "?format=json").json()
    assert [s["id"] for s in data["similar"]] == [second.pk]  # not itself, never the accusation
    assert data["answer_lines"] == []
    page = client_for(cast.desk_a).get(url).content.decode()
    assert second.number in page and "答复口径" in page
    detail = client_for(cast.desk_a).get(reverse("petitions:detail", args=[first.pk])).content.decode()
    assert f'hx-get="{url}"' in detail


def test_train_and_suggest_commands_on_csv(tmp_path, insight_dir):
    texts, labels = corpus(per_label=20)
    train_csv = tmp_path / "train.csv"
    with open(train_csv, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "label"])
        w.writerows([[n, t, lab.split("/")[0]] for n, (t, lab) in enumerate(zip(texts, labels, strict=True))])
    call_command("train_suggester", "--from-csv", str(train_csv))
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("id,text\na1,包工头拖欠农民工工资不给\na2,孩子小学入学报名学区\n", encoding="utf-8")
    call_command("suggest", "--in", str(src), "--out", str(out))
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["id"], r["category"]) for r in rows] == [("a1", "劳动和社会保障"), ("a2", "教育")]
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)
    assert list(rows[0]) == ["id", "category", "confidence"]


def test_commands_fail_with_clear_messages(tmp_path, insight_dir, cast):
    src = tmp_path / "in.csv"
    src.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="尚未训练模型"):
        call_command("suggest", "--in", str(src), "--out", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="训练数据不足"):
        call_command("train_suggester")  # the database has no categorised matters
    history(cast, per_label=5)
    call_command("train_suggester")
    with pytest.raises(CommandError, match="输入文件需要 id 和 text 两列"):
        call_command("suggest", "--in", str(src), "--out", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("suggest", "--in", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv"))
