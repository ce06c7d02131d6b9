"""Small synthetic complaint texts for engine tests that need no dataset."""

from __future__ import annotations

import random

TOPICS = {
    "城乡建设/房地产市场/逾期交房": ["开发商", "交房", "逾期", "楼盘", "房产证", "购房", "合同约定", "延期交付"],
    "劳动和社会保障/劳动报酬/拖欠工资": ["工资", "拖欠", "农民工", "工地", "包工头", "讨薪", "劳动合同", "血汗钱"],
    "教育/招生入学/义务教育入学": ["学校", "招生", "入学", "学区", "孩子", "小学", "户口", "报名"],
}
FILLER = ["请求", "尽快", "处理", "我们", "多次", "反映", "没有", "结果", "希望", "政府", "帮助", "解决"]


def corpus(per_label: int = 30, seed: int = 1) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for label, words in TOPICS.items():
        for _ in range(per_label):
            picked = rng.sample(words, 4) + rng.sample(FILLER, 4)
            rng.shuffle(picked)
            texts.append("".join(picked))
            labels.append(label)
    return texts, labels
