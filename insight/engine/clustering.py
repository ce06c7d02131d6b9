"""Text vectors and clustering shared by hot topics, early signs and answer lines.

`TextVectors` is TF-IDF over jieba words (stop words removed) with the title counted twice and an
optional locality token, L2-normalised, so a dot product is a cosine.

`cluster()` is average-linkage agglomerative clustering on a sparse similarity graph: only pairs
with cosine >= `edge_min` (and, optionally, allowed by a pair filter such as "same locality, within
D days") are edges; a missing edge counts as similarity 0. Two clusters merge while the average
similarity over all their member pairs is >= `merge_min`. Unlike connected components (single
linkage) this does not chain unrelated complaints together through one long letter that mentions
everything, and it needs memory for the edges only, not an n x n matrix.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from insight.engine.text import normalize, words

LOCALITY_PREFIX = "@属地:"


class _Analyzer:
    def __call__(self, doc: tuple[str, ...]) -> tuple[str, ...]:
        return doc


def tokens(text: str, title: str = "", locality: str | None = None, *, max_chars: int = 2000) -> tuple[str, ...]:
    """Words of the title (twice) and of the text, plus a locality token."""
    out = []
    if title:
        t = [w for w in words(title) if len(w) > 1 or not w.isascii()]
        out.extend(t)
        out.extend(t)
    body = normalize(text)[:max_chars]
    out.extend(w for w in words(body, normalized=True) if len(w) > 1 or not w.isascii())
    if locality:
        out.append(LOCALITY_PREFIX + str(locality))
    return tuple(out)


class TextVectors:
    """TF-IDF (sublinear tf, smoothed idf, L2 norm) over `tokens()`; fitted on the corpus given."""

    def __init__(self, *, min_df: int = 1, max_df: float = 0.5, use_idf: bool = True) -> None:
        self.vectorizer = TfidfVectorizer(analyzer=_Analyzer(), sublinear_tf=True, min_df=min_df, max_df=max_df,
                                          lowercase=False, dtype=np.float64, use_idf=use_idf)
        self.fitted = False

    def fit_transform(self, docs: Sequence[tuple[str, ...]]) -> sp.csr_matrix:
        try:
            x = self.vectorizer.fit_transform(docs)
        except ValueError:  # tiny corpora: every term above max_df
            self.vectorizer.set_params(max_df=1.0, min_df=1)
            x = self.vectorizer.fit_transform(docs)
        self.fitted = True
        return x.tocsr()

    def transform(self, docs: Sequence[tuple[str, ...]]) -> sp.csr_matrix:
        return self.vectorizer.transform(docs).tocsr()

    @property
    def terms(self) -> np.ndarray:
        return self.vectorizer.get_feature_names_out()


def similarity_edges(x: sp.csr_matrix, edge_min: float, *, neighbours: int = 50, block: int = 0,
                     allow: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) with cosine >= edge_min among each row's `neighbours` most similar rows.

    Computed in row blocks (x[block] @ x.T), so memory stays at block x n. `allow(i, j)` may veto
    pairs (vectorised: arrays in, boolean array out)."""
    n = x.shape[0]
    block = block or max(64, min(1024, 20_000_000 // max(n, 1)))
    xt = x.T.tocsc()
    rows, cols, sims = [], [], []
    for start in range(0, n, block):
        s = (x[start:start + block] @ xt).tocsr()
        s.data[s.data < edge_min] = 0
        s.eliminate_zeros()
        for r in range(s.shape[0]):
            lo, hi = s.indptr[r], s.indptr[r + 1]
            if hi == lo:
                continue
            idx, val = s.indices[lo:hi], s.data[lo:hi]
            keep = idx > start + r
            idx, val = idx[keep], val[keep]
            if idx.size > neighbours:
                top = np.argpartition(-val, neighbours)[:neighbours]
                idx, val = idx[top], val[top]
            rows.append(np.full(idx.size, start + r, dtype=np.int64))
            cols.append(idx.astype(np.int64))
            sims.append(val)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    i, j, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)
    if allow is not None and i.size:
        ok = allow(i, j)
        i, j, v = i[ok], j[ok], v[ok]
    return i, j, v


def average_linkage(n: int, i: np.ndarray, j: np.ndarray, sims: np.ndarray, merge_min: float) -> np.ndarray:
    """Cluster labels 0..m-1 (numbered by first member) from average linkage over the edge list."""
    adj: list[dict[int, float] | None] = [{} for _ in range(n)]
    for a, b, s in zip(i.tolist(), j.tolist(), sims.tolist(), strict=True):
        if a == b:
            continue
        da, db = adj[a], adj[b]
        assert da is not None and db is not None
        da[b] = da.get(b, 0.0) + s
        db[a] = db.get(a, 0.0) + s
    size = [1] * n
    parent = list(range(n))
    heap = [(-s, a, b) for a, b, s in zip(i.tolist(), j.tolist(), sims.tolist(), strict=True) if s >= merge_min]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        da, db = adj[a], adj[b]
        if da is None or db is None or b not in da:
            continue
        avg = da[b] / (size[a] * size[b])
        if abs(avg + neg) > 1e-12:
            continue  # stale entry; the current value was pushed when it changed
        if avg < merge_min:
            continue
        if len(da) < len(db):
            a, b, da, db = b, a, db, da
        # merge b into a
        del da[b]
        for c, s in db.items():
            if c == a:
                continue
            dc = adj[c]
            assert dc is not None
            del dc[b]
            da[c] = da.get(c, 0.0) + s
            dc[a] = da[c]
        adj[b] = None
        parent[b] = a
        size[a] += size[b]
        for c, s in da.items():
            v = s / (size[a] * size[c])
            if v >= merge_min:
                heapq.heappush(heap, (-v, min(a, c), max(a, c)))
    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    roots = [root(k) for k in range(n)]
    numbering: dict[int, int] = {}
    return np.array([numbering.setdefault(r, len(numbering)) for r in roots], dtype=np.int64)


def cluster(x: sp.csr_matrix, *, edge_min: float = 0.2, merge_min: float = 0.3, neighbours: int = 50,
            allow: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Labels of average-linkage clusters of the rows of an L2-normalised matrix (see module doc)."""
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    i, j, v = similarity_edges(x, edge_min, neighbours=neighbours, allow=allow)
    return average_linkage(n, i, j, v, merge_min)


def top_terms(x: sp.csr_matrix, rows: np.ndarray, terms: np.ndarray, k: int = 8,
              skip: Callable[[str], bool] | None = None) -> list[str]:
    """The k terms with the largest mean weight over `rows`, without terms contained in a better one."""
    centroid = np.asarray(x[rows].mean(axis=0)).ravel()
    order = np.argsort(-centroid, kind="stable")
    chosen: list[str] = []
    for idx in order[: k * 6]:
        if centroid[idx] <= 0:
            break
        term = str(terms[idx])
        if skip and skip(term):
            continue
        if any(term in c for c in chosen):
            continue
        chosen = [c for c in chosen if c not in term]
        chosen.append(term)
        if len(chosen) == k:
            break
    return chosen


def nearest_to_centroid(x: sp.csr_matrix, rows: np.ndarray, k: int = 3) -> np.ndarray:
    centroid = np.asarray(x[rows].mean(axis=0)).ravel()
    scores = np.asarray(x[rows] @ centroid).ravel()
    return rows[np.argsort(-scores, kind="stable")[:k]]
