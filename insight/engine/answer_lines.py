"""Answer lines (口径): the office's replies to the most similar past matters.

A handler drafting a reply sees how the office answered the same question before, so answers stay
consistent. Retrieval is TF-IDF cosine over words (title counted twice; see
insight.engine.clustering.tokens) against past matters that have a reply; scoring is one sparse
matrix-vector product, a few milliseconds for tens of thousands of past replies.
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from insight.engine.clustering import TextVectors, tokens

FORMAT = "xinfang-answer-lines"
FORMAT_VERSION = 1

# Opening formulas of written replies ("网友：您好！留言已收悉。现将有关情况回复如下：") carry no content.
_PREAMBLE = re.compile(r"^.{0,200}?(?:答复|回复|函复)如下[：:，,。]?\s*")
_GREETING = re.compile(r"^\s*(?:[“\"]?[^，。！]{0,30}[”\"]?\s*)?(?:网友|您好)[^。！]{0,20}[！!。:：]\s*")


def excerpt(reply: str, length: int = 160) -> str:
    """The start of a reply's substance: greeting and 'replied as follows' formula removed."""
    text = re.sub(r"\s+", " ", reply or "").strip()
    m = _PREAMBLE.match(text)
    if m and len(text) - m.end() > 5:
        text = text[m.end():]
    else:
        g = _GREETING.match(text)
        if g and len(text) - g.end() > 5:
            text = text[g.end():]
    text = text.lstrip("：:，, ")
    return text if len(text) <= length else text[:length].rstrip() + "…"


@dataclass(frozen=True)
class PastReply:
    id: Any
    title: str
    text: str
    reply: str
    time: Any = None


@dataclass(frozen=True)
class AnswerLine:
    id: Any
    score: float
    title: str
    reply: str
    excerpt: str


class AnswerLineIndex:
    def __init__(self, records: Iterable[Any]) -> None:
        self.records = [rec for rec in (_record(r) for r in records) if rec.reply.strip()]
        self.vectors = TextVectors(max_df=0.5)
        if self.records:
            self.matrix = self.vectors.fit_transform([tokens(r.text, r.title) for r in self.records])
        else:
            self.matrix = sp.csr_matrix((0, 0))

    def __len__(self) -> int:
        return len(self.records)

    def query(self, text: str, k: int = 3, *, title: str = "", min_score: float = 0.1,
              exclude: Any = None) -> list[AnswerLine]:
        """The `k` past replies whose matters are most similar to `text`, best first."""
        if not self.records:
            return []
        q = self.vectors.transform([tokens(text, title)])
        scores = np.asarray((self.matrix @ q.T).toarray()).ravel()
        order = np.argsort(-scores, kind="stable")
        out: list[AnswerLine] = []
        for i in order[: k + 1].tolist():
            rec = self.records[i]
            if scores[i] < min_score or len(out) == k:
                break
            if exclude is not None and rec.id == exclude:
                continue
            out.append(AnswerLine(rec.id, round(float(scores[i]), 4), rec.title, rec.reply, excerpt(rec.reply)))
        return out

    def save(self, path: str | os.PathLike[str]) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"format": FORMAT, "version": FORMAT_VERSION, "index": self}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AnswerLineIndex:
        """Load an index saved by `save` (our own files only: pickle runs code)."""
        with open(path, "rb") as fh:
            payload = pickle.load(fh)  # noqa: S301 - our own files under var/insight/
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError(f"{path}: not an answer-line index")
        if payload.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path}: answer-line index version {payload.get('version')}, expected {FORMAT_VERSION}")
        return payload["index"]


def _record(obj: Any) -> PastReply:
    if isinstance(obj, PastReply):
        return obj
    get = obj.get if isinstance(obj, Mapping) else (lambda k, d=None: getattr(obj, k, d))
    return PastReply(id=get("id"), title=get("title") or "", text=get("text") or "", reply=get("reply") or "",
                     time=get("time"))
