"""From a template and a matter to the text of a document: title, 文号 and laid-out paragraphs.

Templates are admin-editable Django template text, rendered by a sandboxed engine: no loaders (no
{% include %}/{% extends %} of files), no extra tag libraries, no HTML escaping (the output is a
Word/PDF document, not a web page). The matter is passed as a plain dict, so a template can't walk
the ORM or trigger queries.
"""

from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from core.errors import DomainError

ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False, debug=True,
                builtins=["documents.template_filters"])

INDENT = "indent"
FLUSH = "flush"
CENTER = "center"
RIGHT = "right"
MARKERS = {"[顶格]": FLUSH, "[居中]": CENTER, "[居右]": RIGHT}


class TemplateInvalid(DomainError):
    code = "template_invalid"


@dataclass
class Block:
    align: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class RenderedText:
    title: str
    doc_number: str
    blocks: list[Block] = field(default_factory=list)
    footer: str = ""

    @property
    def plain(self) -> str:
        """The whole document as plain text (stored on the Document for search and the portal)."""
        parts = [self.title, self.doc_number, *(b.text for b in self.blocks)]
        return "\n\n".join(p for p in parts if p)

    def all_characters(self) -> str:
        return "".join([self.title, self.doc_number, self.footer, *(b.text for b in self.blocks)])


def _syntax_message(exc: TemplateSyntaxError, label: str, source: str) -> str:
    line = ""
    debug = getattr(exc, "template_debug", None)
    if debug and debug.get("line"):
        line = f"第{debug['line']}行"
    return (f"{label}{line}有模板语法错误：{exc}。请检查 {{% %}} 与 {{{{ }}}} 是否成对、"
            f"标签名（如 if/endif、for/endfor）是否拼写正确并正确闭合。")


def compile_template(source: str, *, label: str = "正文模板", field_name: str = "body") -> Any:
    try:
        return ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(_syntax_message(exc, label, source), field=field_name) from None


def validate(title: str, body: str) -> None:
    """Raise TemplateInvalid (with a Chinese message and the field) if either text cannot be used."""
    compile_template(title, label="文书标题", field_name="title")
    compile_template(body, label="正文模板", field_name="body")
    # Errors that only show when rendering (a bad filter argument, a forbidden {% include %}).
    from documents.samples import sample_context

    context = sample_context()
    for source, label, field_name in ((title, "文书标题", "title"), (body, "正文模板", "body")):
        try:
            ENGINE.from_string(source).render(Context(context))
        except Exception as exc:
            raise TemplateInvalid(f"{label}无法用示例数据生成：{exc}。", field=field_name) from None


def _render(source: str, context: dict[str, Any], *, label: str, field_name: str) -> str:
    template = compile_template(source, label=label, field_name=field_name)
    try:
        return template.render(Context(context))
    except Exception as exc:
        raise TemplateInvalid(f"{label}生成失败：{exc}。请管理员检查文书模板。", field=field_name) from None


_BLANK = re.compile(r"\n[ \t\u3000]*\n")


def layout(text: str) -> list[Block]:
    """Split rendered body text into paragraphs: blank line = new paragraph, markers set alignment."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for chunk in _BLANK.split(text):
        lines = [line.rstrip() for line in chunk.split("\n")]
        lines = [line for line in lines if line.strip()]
        if not lines:
            continue
        align = INDENT
        first = lines[0].lstrip(" \t\u3000")
        for marker, marker_align in MARKERS.items():
            if first.startswith(marker):
                align = marker_align
                first = first[len(marker):].lstrip(" \t\u3000")
                break
        lines[0] = first
        lines = [lines[0], *(line.strip(" \t") for line in lines[1:])]
        if any(lines):
            blocks.append(Block(align, [line for line in lines if line]))
    return blocks


def render_text(title_source: str, body_source: str, context: dict[str, Any]) -> tuple[str, list[Block]]:
    title = " ".join(_render(title_source, context, label="文书标题", field_name="title").split())
    body = _render(body_source, context, label="正文模板", field_name="body")
    return title, layout(body)


def jsonable(value: Any) -> Any:
    """Context values as JSON (stored on the Document): dates as ISO text, model objects as their name."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return str(value)
    return str(value)
