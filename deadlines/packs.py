"""The rule packs shipped with xinfang (loaded by migration 0003; admins edit them afterwards).

`reg2022` — the 2022《信访工作条例》, the default:
    triage by the 信访部门 15 calendar days (Art. 22), written acceptance notice 15 calendar days
    (Art. 24), objection to a wrong transfer 5 working days, handling 60 calendar days with at most
    30 more on approval and notice (Art. 35), the result report of an assigned matter (交办报结)
    30 calendar days, review request / decision 30 / 30 (Art. 35), final review request / decision
    30 / 30 with hearing time excluded (Art. 36), rating window 15 calendar days.

`local3090` — a bureau's "30/90" local pack, for offices that promise faster handling of ordinary
    matters: handling 30 calendar days (still at most 30 days' extension), review decision 30, and
    the final review decision 90 calendar days, for bureaus whose 复核 routinely includes a hearing
    and a coordination meeting; every other clock as in `reg2022`. Reminders come 5 days before the
    due date and escalation to the leader 3 days after the unit head's supervision order. It is an
    example of a local configuration: each bureau adjusts it in the admin to its own published rules.

Both packs follow 民法典 Arts. 201 and 203: the start day is not counted, and a last day on a rest
day rolls over to the next working day.
"""

from __future__ import annotations

from typing import Any

CALENDAR = "calendar"
WORKING = "working"

REG2022_RULES: dict[str, tuple[int, str, int | None]] = {
    "triage": (15, CALENDAR, None),
    "acceptance_notice": (15, CALENDAR, None),
    "objection": (5, WORKING, None),
    "handling": (60, CALENDAR, 30),
    "report_back": (30, CALENDAR, None),
    "review_request": (30, CALENDAR, None),
    "review_decision": (30, CALENDAR, None),
    "final_review_request": (30, CALENDAR, None),
    "final_review_decision": (30, CALENDAR, None),
}

PACKS: list[dict[str, Any]] = [
    {
        "code": "reg2022",
        "name": "2022年《信访工作条例》",
        "description": "默认规则包，依据2022年《信访工作条例》。起算日不计入，期限末日遇法定节假日顺延（民法典第201、203条）。",
        "is_default": True,
        "reminder_days_before": 3,
        "supervise_after_days": 0,
        "escalate_after_days": 5,
        "rating_window_days": 15,
        "rules": REG2022_RULES,
    },
    {
        "code": "local3090",
        "name": "本地规则（30日办理/90日复核）",
        "description": "本地从快办理示例：办理期限30日、复查答复30日、复核答复90日（含听证、协调），其余同条例。"
                       "到期前5日催办，一级督办后3日报请领导督办。请按本单位公布的规定调整。",
        "is_default": False,
        "reminder_days_before": 5,
        "supervise_after_days": 0,
        "escalate_after_days": 3,
        "rating_window_days": 15,
        "rules": {**REG2022_RULES, "handling": (30, CALENDAR, 30), "review_decision": (30, CALENDAR, None),
                  "final_review_decision": (90, CALENDAR, None)},
    },
]


def install(rule_pack_model, clock_rule_model) -> None:  # noqa: ANN001
    """Create the shipped packs that are missing (by code); existing packs are left as edited."""
    for spec in PACKS:
        if rule_pack_model.objects.filter(code=spec["code"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k != "rules"}
        if fields["is_default"] and rule_pack_model.objects.filter(is_default=True).exists():
            fields["is_default"] = False
        pack = rule_pack_model.objects.create(**fields)
        clock_rule_model.objects.bulk_create([
            clock_rule_model(pack=pack, kind=kind, days=days, unit=unit, max_extension_days=cap)
            for kind, (days, unit, cap) in spec["rules"].items()
        ])
