"""Made-up data for checking and previewing templates: no real matter, no personal data, no queries."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from documents.context import build_context

SAMPLE_PETITION: dict[str, Any] = {
    "id": 0,
    "number": "K349902-XFJ-2026-000123",
    "query_code": "QC7K2M9PXA",
    "title": "小区楼道漏水长期无人维修",
    "content": "反映人所住小区3号楼楼道顶部漏水已两年，多次向物业反映未解决，雨天积水，存在安全隐患。",
    "demands": "请求督促物业公司尽快维修楼道屋面，消除安全隐患。",
    "kind": "申诉求决",
    "channel": "来访",
    "status": "办理中",
    "received_at": datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC),
    "registered_at": datetime.datetime(2026, 3, 2, 9, 45, tzinfo=datetime.UTC),
    "receiving_unit": "青山区信访局",
    "handling_unit": "青山区住房和城乡建设局",
    "locality": "城关街道",
    "category": "城乡建设/物业管理",
    "headcount": 1,
    "is_collective": False,
}

SAMPLE_EXTRA: dict[str, Any] = {
    "handling_unit": "青山区住房和城乡建设局",
    "due_date": datetime.date(2026, 5, 4),
    "reasons": "该事项涉及多个部门职责，需要进一步调查核实",
    "legal_basis": "《信访工作条例》第三十二条",
    "legal_channel": "诉讼",
    "route_body": "青山区人民法院",
    "note": "请依法依规办理，按期答复信访人。",
    "requirements": "主要负责同志亲自过问，依法依规妥善处理",
    "extension_days": 30,
    "complaint": "请求督促物业公司尽快维修楼道屋面。",
    "facts": "经现场核查，3号楼楼道屋面防水层老化，物业公司已列入维修计划。",
    "opinion": "支持",
    "opinion_text": "责成物业公司于30日内完成维修，街道办事处负责督促落实。",
    "outcome": "维持原处理意见",
    "original_body": "青山区住房和城乡建设局",
    "review_body": "青川市住房和城乡建设局",
    "review_deadline": 30,
    "to_unit": "青山区信访局",
    "received_on": datetime.date(2026, 3, 5),
    "suggested_unit": "城关街道办事处",
    "previous_number": "K349902-XFJ-2025-000456",
    "request_date": datetime.date(2026, 4, 10),
    "addressee": "张三",
    "doc_title": "告知书",
    "text": "这是一份示例文书的正文。",
}


def sample_context(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return build_context(
        dict(SAMPLE_PETITION), petitioner="张三", office_name="青山区信访局", office_short="青信",
        number=f"青信〔{timezone.localdate().year}〕1号", extra={**SAMPLE_EXTRA, **(extra or {})},
    )
