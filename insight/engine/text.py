"""Text helpers shared by the engine: normalisation, jieba words, hashed character shingles.

Nothing here imports Django, so the engine can be used (and benchmarked) on plain Python data.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import numpy as np

_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
_jieba_lock = threading.Lock()
_jieba_ready = False

# Words that carry no topic in complaint letters (greetings, politeness, generic verbs). The
# labelled training file had its stop words removed upstream; removing these from raw text keeps
# raw input close to it.
STOP_WORDS = frozenset(
    "的 了 是 在 和 与 及 或 也 都 就 而 但 并 被 把 对 从 向 给 让 为 以 之 其 这 那 有 没有 我 我们 你 你们 他 "
    "她 他们 它 自己 一个 一些 什么 怎么 如何 哪 吗 呢 吧 啊 呀 哦 嗯 请问 您好 你好 尊敬 领导 谢谢 感谢 希望 "
    "请 能 能否 可以 是否 已经 还 又 很 非常 应该 因为 所以 如果 虽然 但是 然而 并且 以及 等 等等 个 位 "
    "年 月 日 号 上 下 中 里 后 前 时 时候 现在 目前 今天 问题 情况 反映 相关 部门 有关".split()
)


def normalize(text: str) -> str:
    """NFKC, lower case, and every run of punctuation, spaces or symbols collapsed away."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def _ensure_jieba() -> None:
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba_ready = True


def words(text: str, *, drop_stop_words: bool = True, normalized: bool = False, hmm: bool = True) -> list[str]:
    """jieba words of the normalised text (precise mode; `hmm` finds words missing from the dictionary,
    at about 1.6 times the time), stop words removed."""
    _ensure_jieba()
    import jieba

    tokens = jieba.lcut(text if normalized else normalize(text), HMM=hmm)
    if drop_stop_words:
        return [t for t in tokens if t not in STOP_WORDS]
    return tokens


# Hashed character shingles -----------------------------------------------------------------
# A shingle of n characters hashes to a 32-bit id by multiplying the code points with fixed odd
# 64-bit constants (wrapping), and taking the high 32 bits: vectorised, stable across processes
# (unlike Python's hash()), and collision-free enough for similarity work.
_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                  0xFF51AFD7ED558CCD], dtype=np.uint64)


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def shingle_hashes(text: str, n: int = 2, *, normalized: bool = False) -> np.ndarray:
    """Sorted unique 32-bit ids of the character n-grams of `text` (n-grams of a shorter text: one id)."""
    cps = code_points(text if normalized else normalize(text)).astype(np.uint64)
    if cps.size == 0:
        return np.zeros(0, dtype=np.uint32)
    if cps.size < n:
        n = int(cps.size)
    acc = np.full(cps.size - n + 1, np.uint64(n), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(n):
            acc = (acc + cps[i:cps.size - n + 1 + i]) * _MULT[i]
    return np.unique((acc >> np.uint64(32)).astype(np.uint32))


def shingle_counts(text: str, n: int = 2, *, normalized: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Unique 32-bit shingle ids and how often each occurs."""
    cps = code_points(text if normalized else normalize(text)).astype(np.uint64)
    if cps.size == 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    if cps.size < n:
        n = int(cps.size)
    acc = np.full(cps.size - n + 1, np.uint64(n), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(n):
            acc = (acc + cps[i:cps.size - n + 1 + i]) * _MULT[i]
    ids, counts = np.unique((acc >> np.uint64(32)).astype(np.uint32), return_counts=True)
    return ids, counts


def ngram_hashes64(cps: np.ndarray, n: int) -> np.ndarray:
    """64-bit hashes of every character n-gram of a code point array (uint64), in text order.

    The same function hashes vocabulary terms (`string_hashes64`), so a text's n-grams can be found in
    a vocabulary with one `np.searchsorted` instead of a dictionary look-up per n-gram."""
    m = cps.size - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = np.full(m, np.uint64(n), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(n):
            acc = (acc + cps[i:i + m]) * _MULT[i]
        acc ^= acc >> np.uint64(31)
    return acc


def string_hashes64(terms: list[str]) -> np.ndarray:
    """`ngram_hashes64` of each whole term (terms of up to 5 characters)."""
    out = np.zeros(len(terms), dtype=np.uint64)
    lengths = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    for n in np.unique(lengths).tolist():
        if not 1 <= n <= len(_MULT):
            raise ValueError(f"cannot hash terms of {n} characters")
        rows = np.nonzero(lengths == n)[0]
        cps = code_points("".join(terms[i] for i in rows.tolist())).astype(np.uint64).reshape(rows.size, n)
        acc = np.full(rows.size, np.uint64(n), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for i in range(n):
                acc = (acc + cps[:, i]) * _MULT[i]
            acc ^= acc >> np.uint64(31)
        out[rows] = acc
    return out


def char_ngrams(text: str, n_min: int, n_max: int) -> Iterable[str]:
    for n in range(n_min, n_max + 1):
        for i in range(len(text) - n + 1):
            yield text[i:i + n]
