"""Templates: defaults for every kind, validation with Chinese messages, activation, layout markup."""

from __future__ import annotations

import pytest

from audit.models import Action, AuditEntry
from core.errors import DomainError
from documents import services
from documents.choices import DocumentKind
from documents.defaults import DEFAULTS
from documents.models import DocumentTemplate
from documents.services import render_document, save_template
from documents.templating import CENTER, FLUSH, INDENT, RIGHT, Block, TemplateInvalid, layout, validate
from xinfang.testing import make_petition

from .helpers import docx_text

pytestmark = pytest.mark.django_db


def test_the_migration_loads_one_active_default_template_for_every_kind():
    active = DocumentTemplate.objects.filter(is_active=True)
    assert sorted(active.values_list("kind", flat=True)) == sorted(DocumentKind.values)
    for template in active:
        name, title, body = DEFAULTS[template.kind]
        assert (template.name, template.title, template.body, template.version) == (name, title, body, 1)


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_every_default_template_validates(kind):
    _, title, body = DEFAULTS[kind]
    validate(title, body)  # raises on error


def test_syntax_error_gets_a_chinese_message_with_the_line():
    with pytest.raises(TemplateInvalid) as exc:
        validate("告知书", "第一行\n\n{% if reasons %}理由：{{ reasons }}\n")
    assert exc.value.field == "body"
    assert exc.value.message.startswith("正文模板第3行有模板语法错误：")
    assert "请检查 {% %} 与 {{ }} 是否成对" in exc.value.message


def test_unknown_tag_and_broken_title_are_refused():
    with pytest.raises(TemplateInvalid) as body:
        validate("告知书", "{% endfi %}")
    assert body.value.message.startswith("正文模板第1行有模板语法错误：")
    with pytest.raises(TemplateInvalid) as title:
        validate("{{ office_name|nosuchfilter }}", "正文")
    assert title.value.field == "title"
    assert title.value.message.startswith("文书标题第1行有模板语法错误：")


@pytest.mark.parametrize("source", ['{% include "base.html" %}', '{% load humanize %}{{ 1|intcomma }}',
                                    '{% extends "base.html" %}'])
def test_templates_cannot_reach_files_or_tag_libraries(source):
    with pytest.raises(TemplateInvalid) as exc:
        validate("告知书", source)
    assert exc.value.field == "body"
    assert exc.value.message.startswith("正文模板")


def test_save_template_validates_and_a_broken_template_is_not_saved(cast):
    template = DocumentTemplate.objects.get(kind=DocumentKind.ACCEPTANCE_NOTICE, is_active=True)
    original = template.body
    template.body = "{% for x in y %}没有结束"
    with pytest.raises(TemplateInvalid):
        save_template(template, actor=cast.admin)
    template.refresh_from_db()
    assert template.body == original and template.version == 1


def test_editing_bumps_the_version_and_documents_use_the_new_text(cast):
    template = DocumentTemplate.objects.get(kind=DocumentKind.ACCEPTANCE_NOTICE, is_active=True)
    template.body = "[顶格]{{ petitioner_name }}：\n\n你的事项已受理，编号{{ petition.number }}。\n\n[居右]{{ office_name }}"
    save_template(template, actor=cast.admin)
    assert template.version == 2 and template.updated_by == cast.admin
    entry = AuditEntry.objects.get(action=Action.UPDATE, object_type="documents.documenttemplate")
    assert entry.summary == "修改文书模板 受理告知书：受理告知书（默认）（第2版）"
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.ACCEPTANCE_NOTICE, actor=cast.officer)
    assert f"你的事项已受理，编号{petition.number}。" in docx_text(document)
    assert document.template_version == 2


def test_activating_a_template_deactivates_the_others_of_its_kind(cast):
    old = DocumentTemplate.objects.get(kind=DocumentKind.DECLINE_NOTICE, is_active=True)
    new = save_template(DocumentTemplate(kind=DocumentKind.DECLINE_NOTICE, name="简版", title="不予受理告知书",
                                         body="[顶格]{{ petitioner_name }}：\n\n不予受理。"), actor=cast.admin)
    old.refresh_from_db()
    assert new.is_active and not old.is_active
    assert DocumentTemplate.objects.filter(kind=DocumentKind.DECLINE_NOTICE, is_active=True).get() == new
    assert services.active_template(DocumentKind.DECLINE_NOTICE) == new
    assert AuditEntry.objects.filter(action=Action.CREATE, object_type="documents.documenttemplate",
                                     object_id=str(new.pk)).count() == 1


def test_restore_default_and_delete_template(cast):
    edited = DocumentTemplate.objects.get(kind=DocumentKind.GENERIC, is_active=True)
    edited.body = "改过的正文"
    save_template(edited, actor=cast.admin)
    restored = services.restore_default_template(DocumentKind.GENERIC, actor=cast.admin)
    edited.refresh_from_db()
    assert restored.is_active and not edited.is_active
    assert restored.body == DEFAULTS[DocumentKind.GENERIC][2]
    with pytest.raises(DomainError) as exc:
        services.delete_template(restored, actor=cast.admin)
    assert exc.value.message == "不能删除正在启用的模板，请先启用同种类的其他模板。"
    services.delete_template(edited, actor=cast.admin)
    assert not DocumentTemplate.objects.filter(pk=edited.pk).exists()
    assert AuditEntry.objects.get(action=Action.DELETE, object_type="documents.documenttemplate").data["body"] == "改过的正文"


def test_layout_markup():
    text = "[顶格]张三：\n\n　　正文第一段，\n接着一行。\n   \n[居中]居中\n\n\n[居右]青山区信访局\n2026年3月1日\n\n"
    assert layout(text) == [
        Block(FLUSH, ["张三："]),
        Block(INDENT, ["正文第一段，", "接着一行。"]),
        Block(CENTER, ["居中"]),
        Block(RIGHT, ["青山区信访局", "2026年3月1日"]),
    ]


def test_empty_conditional_paragraphs_disappear(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.TRANSFER_SLIP, actor=cast.officer)
    lines = docx_text(document).split("\n")
    assert not any(line.startswith("转送意见") for line in lines)
    assert "" not in lines[:-1]  # no empty paragraph left where the condition was false


def test_sentence_filter_lets_templates_close_sentences(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    document = render_document(petition, DocumentKind.DECLINE_NOTICE, actor=cast.officer,
                               context={"reasons": "该事项已经进入诉讼程序。"})
    assert "经审查，该事项已经进入诉讼程序。根据《信访工作条例》有关规定，本机关决定不予受理。" in document.text


def test_admin_form_shows_the_chinese_error_instead_of_a_500(cast, client):
    template = DocumentTemplate.objects.get(kind=DocumentKind.ACCEPTANCE_NOTICE, is_active=True)
    client.force_login(cast.admin)
    url = f"/admin/documents/documenttemplate/{template.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": template.kind, "name": template.name, "title": template.title,
                                 "body": "{% if %}", "is_active": "on"})
    assert response.status_code == 200
    assert "正文模板第1行有模板语法错误" in response.content.decode()
    template.refresh_from_db()
    assert template.body == DEFAULTS[DocumentKind.ACCEPTANCE_NOTICE][2]


def test_admin_saves_through_the_service(cast, client):
    template = DocumentTemplate.objects.get(kind=DocumentKind.GENERIC, is_active=True)
    client.force_login(cast.admin)
    response = client.post(f"/admin/documents/documenttemplate/{template.pk}/change/", {
        "kind": template.kind, "name": "通用", "title": "通知", "body": "[顶格]{{ petitioner_name }}：\n\n{{ text }}",
        "is_active": "on"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.version, template.updated_by) == ("通用", 2, cast.admin)
