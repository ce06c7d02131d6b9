"""Import of old ledgers: checks with line numbers, all-or-nothing, re-import creates nothing, the page."""

import csv
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import Action, AuditEntry
from petitions import importer
from petitions.choices import ImportState
from petitions.importer import ColumnMap, import_file
from petitions.models import Category, Contact, Event, ImportedOutcome, ImportJob, Petition, Petitioner, SearchDocument
from petitions.search import filter_matching
from xinfang.testing import client_for, status_by_user

pytestmark = pytest.mark.django_db

HEADERS = ["来源编号", "事项编号", "来信来访时间", "来源", "登记单位", "问题属地", "标题", "主要内容", "内容分类", "性质",
           "人数", "信访人", "身份证号", "联系电话", "住址", "状态", "答复时间", "满意度"]
VALID_ID = "340102199001011236"


def row(source_id, **over):
    base = {"来源编号": source_id, "事项编号": "", "来信来访时间": "2024-03-05 09:30", "来源": "来访",
            "登记单位": "K349902-XFJ", "问题属地": "349902001001", "标题": "楼道漏水", "主要内容": "楼道漏水，请求维修。",
            "内容分类": "城乡建设/市政设施/供水供气", "性质": "申诉求决", "人数": "1", "信访人": "张三", "身份证号": "",
            "联系电话": "13812345678", "住址": "城关街道东门社区1号", "状态": "", "答复时间": "", "满意度": ""}
    base.update(over)
    return base


def write_csv(path: Path, rows, headers=HEADERS, encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=headers)
        writer.writeheader()
        for r in rows:
            writer.writerow({h: r.get(h, "") for h in headers})
    return path


def test_imports_rows_with_chinese_headers(cast, tmp_path):
    path = write_csv(tmp_path / "台账.csv", [
        row("A-1", 事项编号="M1", 身份证号=VALID_ID),
        row("A-2", 事项编号="M1", 来信来访时间="2024-04-01 10:00", 来源="来电", 主要内容="再次反映漏水。",
            状态="已办结", 答复时间="2024-04-20 10:00", 满意度="基本满意"),
        row("A-3", 标题="拖欠工资", 主要内容="公司拖欠工资。", 内容分类="劳动和社会保障/劳动报酬/拖欠工资", 信访人="李四",
            身份证号="110105194912310021", 联系电话="13900000000", 人数="8", 性质="检举控告"),
    ], )
    result = import_file(path, actor=cast.officer, dry_run=False)
    assert result.errors == [] and result.created_matters == 2 and result.created_contacts == 3
    assert result.repeat_contacts == 1 and result.created_petitioners == 2
    assert result.warnings == ["第4行：身份证号无效（身份证号校验位不正确，请核对是否录入有误），按未核验登记"]
    leak = Petition.objects.get(source_ref="M1")
    assert leak.contact_count == 2 and leak.status == "closed" and leak.channel == "visit"
    assert leak.locality == cast.village_a and leak.receiving_unit == cast.county_bureau
    assert leak.received_at == datetime.datetime(2024, 3, 5, 1, 30, tzinfo=datetime.UTC)
    assert leak.number == "K349902-XFJ-2024-000001" and leak.category.full_name == "城乡建设/市政设施/供水供气"
    outcome = ImportedOutcome.objects.get(petition=leak)
    assert outcome.rating == "basically" and outcome.replied_at == datetime.datetime(2024, 4, 20, 2, 0,
                                                                                   tzinfo=datetime.UTC)
    contacts = list(leak.contacts.order_by("received_at"))
    assert [(c.channel, c.is_repeat, c.source_id) for c in contacts] == [("visit", False, "A-1"),
                                                                         ("phone", True, "A-2")]
    assert contacts[1].content == "再次反映漏水。"
    wages = Petition.objects.get(title="拖欠工资")
    assert wages.is_collective and wages.headcount == 8 and wages.kind == "accusation"
    li = Petitioner.objects.get(name="李四")
    assert not li.id_verified and li.unverified_reason.startswith("身份证号无效")
    assert Petitioner.objects.get(name="张三").id_verified
    events = list(Event.objects.filter(petition=leak).order_by("id").values_list("action", "to_status"))
    assert events == [("import", "closed"), ("import_contact", "")]
    entry = AuditEntry.objects.get(action=Action.IMPORT)
    assert entry.actor == cast.officer and entry.data["created_matters"] == 2
    assert Petition.objects.visible_to(cast.officer).count() == 2
    assert Petition.objects.visible_to(cast.desk_a).count() == 0  # received by the county bureau, not the town


def test_dry_run_lists_row_errors_with_line_numbers_and_saves_nothing(cast, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        row("B-1"),
        row("B-2", 登记单位="NOPE", 问题属地="111111"),
        row("B-3", 来信来访时间="2099-01-01 10:00", 来源="飞鸽"),
        row("B-4", 内容分类="99999", 满意度="很好", 状态="不知道"),
        row("B-1"),
        row("B-6", 主要内容="", 标题=""),
        row("B-7", 人数="0", 信访人="", 身份证号=VALID_ID),
    ])
    for dry_run in (True, False):
        result = import_file(path, actor=cast.officer, dry_run=dry_run)
        assert result.errors == [
            "第3行：登记单位编码“NOPE”不存在；问题属地区划代码“111111”不存在",
            "第4行：来信来访时间 2099-01-01 10:00 晚于当前时间；来源“飞鸽”无法识别（网上信访/来信/来访/来电/电子邮件/传真/领导信箱/上级转送/上级交办）",
            "第5行：分类编号“99999”不存在；状态“不知道”无法识别；满意度“很好”无法识别（满意/基本满意/不满意）",
            "第6行：来源编号“B-1”与第2行重复",
            "第7行：主要内容为空",
            "第8行：人数“0”应为正整数；填写了身份证号或电话，但信访人姓名为空",
        ]
        assert result.summary() == "共 7 行，发现 6 处错误，未导入任何数据。"
    assert not Petition.objects.exists() and not Petitioner.objects.exists() and not Contact.objects.exists()


def test_second_run_creates_nothing_and_new_rows_join_their_matter(cast, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row("C-1", 事项编号="M9"), row("C-2")])
    assert import_file(path, dry_run=False).created_matters == 2
    again = import_file(path, dry_run=False)
    assert (again.created_matters, again.created_contacts, again.skipped) == (0, 0, 2)
    path = write_csv(tmp_path / "b.csv", [row("C-1", 事项编号="M9"), row("C-3", 事项编号="M9", 来信来访时间="2024-05-01")])
    more = import_file(path, dry_run=False)
    assert (more.created_matters, more.created_contacts, more.repeat_contacts, more.skipped) == (0, 1, 1, 1)
    matter = Petition.objects.get(source_ref="M9")
    assert matter.contact_count == 2 and Petition.objects.count() == 2


def test_rows_without_source_id_are_deduplicated_by_content(cast, tmp_path):
    headers = [h for h in HEADERS if h != "来源编号"]
    path = write_csv(tmp_path / "n.csv", [row(""), row("", 标题="另一件")], headers=headers)
    assert import_file(path, dry_run=False).created_matters == 2
    assert import_file(path, dry_run=False).created_matters == 0


def test_categories_are_created_or_refused(cast, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row("D-1", 内容分类="新领域/新问题/新细类")])
    result = import_file(path, dry_run=True, create_categories=False)
    assert result.errors == ["第2行：分类“新领域/新问题/新细类”不存在"]
    result = import_file(path, dry_run=True)
    assert result.errors == [] and result.created_categories == ["新领域/新问题/新细类"]
    assert not Category.objects.filter(name="新领域").exists()
    import_file(path, dry_run=False)
    leaf = Category.objects.get(full_name="新领域/新问题/新细类")
    assert leaf.level == 3 and Petition.objects.get().category == leaf
    bad = write_csv(tmp_path / "d.csv", [row("D-2", 内容分类="a/b/c/d"), row("D-3", 内容分类="a//c")])
    assert import_file(bad).errors == ["第2行：分类“a/b/c/d”格式不对，应为 一级/二级/三级",
                                       "第3行：分类“a//c”格式不对，应为 一级/二级/三级"]


def test_xlsx_and_gbk_csv(cast, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    values = row("X-1")
    values["来信来访时间"] = datetime.datetime(2023, 7, 1, 8, 15)  # noqa: DTZ001 - Excel cells carry local time
    values["人数"] = 3
    values["联系电话"] = 13812345678
    sheet.append([values[h] for h in HEADERS])
    book.save(tmp_path / "台账.xlsx")
    result = import_file(tmp_path / "台账.xlsx", dry_run=False)
    assert result.errors == [] and result.created_matters == 1
    petition = Petition.objects.get()
    assert petition.headcount == 3 and petition.received_at.year == 2023
    assert Petitioner.objects.get().phone == "13812345678"
    gbk = write_csv(tmp_path / "gbk.csv", [row("G-1", 标题="国标编码")], encoding="gb18030")
    assert import_file(gbk, dry_run=False).created_matters == 1


def test_file_level_problems(cast, tmp_path):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(importer.ImportFileError, match="不支持的文件类型“.json”"):
        import_file(tmp_path / "x.json")
    path = write_csv(tmp_path / "h.csv", [{"标题": "x"}], headers=["标题"])
    with pytest.raises(importer.ImportFileError, match="缺少必需的列：received_at（.*）、channel"):
        import_file(path)
    with pytest.raises(importer.ImportFileError, match="映射“bogus=1”无效"):
        ColumnMap.parse(["bogus=1"])


def test_a_failure_while_writing_leaves_nothing(cast, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    path = write_csv(tmp_path / "f.csv", [row(f"F-{i}") for i in range(6)])
    calls = {"n": 0}
    original = importer._flush

    def flaky(writer, batch, result):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return original(writer, batch, result)

    monkeypatch.setattr(importer, "_flush", flaky)
    with pytest.raises(RuntimeError):
        import_file(path, dry_run=False)
    assert not Petition.objects.exists() and not Contact.objects.exists() and not Petitioner.objects.exists()


DATASET = Path(settings.BASE_DIR).parent / "shared" / "datasets" / "complaints_train_raw.csv"
TIPDM_MAP = ["source_id=id", "content=body", "received_at=time", "category=label"]


@pytest.mark.skipif(not DATASET.exists(), reason="the shared benchmark datasets are not checked out next to the repo")
def test_the_shared_complaints_dataset_imports_once(cast):
    with open(DATASET, encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    column_map = ColumnMap.parse(TIPDM_MAP, ["channel=online", f"receiving_unit={cast.city_bureau.code}"])
    first = import_file(DATASET, actor=cast.city_officer, dry_run=False, column_map=column_map)
    assert first.errors == [] and first.created_matters == rows == Petition.objects.count() == 1093
    assert Contact.objects.count() == rows
    assert set(Category.objects.filter(level=1).values_list("name", flat=True)) >= {"教育文体", "环境保护", "卫生计生"}
    # Each row is its own matter, with the row's title, text, time and category.
    with open(DATASET, encoding="utf-8") as fh:
        sample = next(csv.DictReader(fh))
    contact = Contact.objects.select_related("petition__category").get(source_id=sample["id"])
    matter = contact.petition
    assert (matter.title, matter.content) == (sample["title"].strip(), sample["body"].strip())
    assert timezone.localtime(contact.received_at).strftime("%Y-%m-%d %H:%M:%S") == sample["time"]
    assert matter.category.full_name.split("/")[0] == sample["label"] and matter.contact_count == 1
    # Every row is found by its own words (on PostgreSQL a batch this large has half its search vectors
    # made on a second connection: search._VectorHelper).
    assert SearchDocument.objects.count() == rows
    assert matter.pk in set(filter_matching(Petition.objects.all(), matter.title[:6]).values_list("pk", flat=True))
    last = Contact.objects.select_related("petition").order_by("-pk")[0].petition
    assert last.pk in set(filter_matching(Petition.objects.all(), last.title[:6]).values_list("pk", flat=True))
    second = import_file(DATASET, actor=cast.city_officer, dry_run=False, column_map=column_map)
    assert (second.created_matters, second.created_contacts, second.skipped) == (0, 0, rows)
    # The same second run through the command an office would use creates nothing either.
    call_command("import_petitions", str(DATASET), "--no-progress", *[f"--map={m}" for m in TIPDM_MAP],
                 "--set=channel=online", f"--set=receiving_unit={cast.city_bureau.code}")
    assert Petition.objects.count() == Contact.objects.count() == rows


def test_command_prints_errors_and_summary(cast, tmp_path, capsys):
    good = write_csv(tmp_path / "g.csv", [row("H-1"), row("H-2")])
    call_command("import_petitions", str(good), "--dry-run", "--no-progress")
    out = capsys.readouterr().out
    assert "检查通过。共 2 行：将新建事项 2 件、来信来访 2 件次（其中重复件次 0），涉及信访人约 1 人" in out
    assert not Petition.objects.exists()
    call_command("import_petitions", str(good), "--user", "officer")
    out = capsys.readouterr()
    assert "导入完成。共 2 行：新建事项 2 件" in out.out and "写入 |" in out.err
    bad = write_csv(tmp_path / "b.csv", [row("H-3", 登记单位="NOPE")])
    with pytest.raises(CommandError, match="发现 1 处错误，未导入任何数据"):
        call_command("import_petitions", str(bad), "--no-progress")
    assert "第2行：登记单位编码“NOPE”不存在" in capsys.readouterr().out
    mapped = write_csv(tmp_path / "m.csv", [{"id": "9", "title": "标题", "body": "内容", "time": "2020-01-01 10:00",
                                             "label": "城乡建设"}], headers=["id", "title", "body", "time", "label"])
    call_command("import_petitions", str(mapped), "--no-progress", *[f"--map={m}" for m in TIPDM_MAP],
                 "--set=channel=online", f"--set=receiving_unit={cast.city_bureau.code}")
    assert Contact.objects.filter(source_id="9").exists()


def test_import_page_checks_then_imports(cast, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(cast.officer)
    data = io.StringIO()
    writer = csv.DictWriter(data, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerow(row("P-1"))
    upload = SimpleUploadedFile("台账.csv", data.getvalue().encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/petitions/import/", {"file": upload, "dry_run": "on"})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/petitions/import/{job.pk}/"
    assert job.state == ImportState.DONE and job.dry_run and job.result["created_matters"] == 1
    page = client.get(f"/petitions/import/{job.pk}/").content.decode()
    assert "共 1 行：将新建事项 1 件" in page and "检查通过，开始导入" in page and not Petition.objects.exists()
    fragment = client.get(f"/petitions/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="import-progress"') and "hx-trigger" not in fragment
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/petitions/import/{job.pk}/run/")
    real = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/petitions/import/{real.pk}/" and not real.dry_run
    assert real.state == ImportState.DONE and Petition.objects.count() == 1
    assert real.file.name == job.file.name


def test_import_page_shows_errors(cast, django_capture_on_commit_callbacks):
    client = client_for(cast.officer)
    data = io.StringIO()
    writer = csv.DictWriter(data, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerow(row("Q-1", 登记单位="NOPE"))
    upload = SimpleUploadedFile("bad.csv", data.getvalue().encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/petitions/import/", {"file": upload, "dry_run": "on"})
    job = ImportJob.objects.get()
    assert job.state == ImportState.FAILED
    page = client.get(f"/petitions/import/{job.pk}/").content.decode()
    assert "第2行：登记单位编码“NOPE”不存在" in page and "开始导入" not in page
    assert client.post(f"/petitions/import/{job.pk}/run/").status_code == 302
    assert ImportJob.objects.count() == 1
    page = client.post("/petitions/import/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-")}).content.decode()
    assert "只能上传 CSV 或 XLSX 文件。" in page


def test_import_pages_permission_suite(cast, django_capture_on_commit_callbacks):
    allowed = {"officer", "city_officer", "admin"}
    codes = status_by_user(cast, "get", "/petitions/import/")
    assert codes == {**{n: (200 if n in allowed else 403) for n in cast.staff}, "anonymous": 302}
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.officer).post("/petitions/import/", {
            "file": SimpleUploadedFile("a.csv", ",".join(HEADERS).encode()), "dry_run": "on"})
    job = ImportJob.objects.get()
    codes = status_by_user(cast, "get", f"/petitions/import/{job.pk}/")
    # Only the uploader and administrators see a job.
    assert codes == {**{n: 403 for n in cast.staff}, "officer": 200, "admin": 200, "city_officer": 404,
                     "anonymous": 302}


def test_import_run_permission_suite(cast, django_capture_on_commit_callbacks):
    data = io.StringIO()
    writer = csv.DictWriter(data, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerow(row("R-1"))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.officer).post("/petitions/import/", {
            "file": SimpleUploadedFile("a.csv", data.getvalue().encode()), "dry_run": "on"})
    job = ImportJob.objects.get()
    codes = status_by_user(cast, "post", f"/petitions/import/{job.pk}/run/")
    # Only the uploader and administrators may run a checked job; the anonymous user is sent to log in.
    assert codes == {**{n: 403 for n in cast.staff}, "officer": 302, "admin": 302, "city_officer": 404,
                     "anonymous": 302}
    assert ImportJob.objects.filter(dry_run=False).count() == 2
    assert Petition.objects.count() == 0  # queued jobs: on_commit did not run outside the capture block
