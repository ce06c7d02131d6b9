"""Near-duplicate index: "has this matter been raised before?" by text similarity.

Two stages, both numpy-vectorised:

1. Candidates by MinHash LSH over the set of character bigrams of the normalised text. Bigrams
   that occur in too many documents (`stop_shingles`, fixed when the index is first built from a
   corpus, see `build`) are left out of the sets: they only make unrelated complaints collide.
   `bands` x `rows` minhash values; two texts become candidates when all `rows` values of one band
   agree. Band keys live in sorted numpy segments (log-structured: a small unsorted buffer of recent
   additions is merged into sorted segments as it fills), so adding stays cheap and a look-up is a
   binary search per band.
2. Scores by exact TF-IDF cosine over character bigrams (sublinear tf, smoothed idf from the
   index's own document frequencies, L2 norm), computed for the candidates only: at most
   `MAX_SCORED` of them, those sharing the most bands with the text (more shared bands, higher
   similarity: a band agrees with probability Jaccard^rows). Templated letters (a campaign, the demo
   data) can make ten thousand candidates of one text, whose scoring would otherwise cost 30-50 ms.

The score is therefore the same figure a brute-force TF-IDF cosine over the indexed texts gives
(up to 32-bit hash collisions of bigrams), and `bench/insight_neardup.py` measures the recall of
stage 1 against brute force.

Ids are integers (matter primary keys). Adding an id that is already present replaces its text.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from insight.engine.text import normalize, shingle_counts

FORMAT = "xinfang-neardup"
FORMAT_VERSION = 1

_DF_BITS = 22  # document frequencies are counted in 4M buckets of the bigram hash
MAX_SCORED = 1000  # candidates scored per look-up, those sharing the most bands first
_U64 = np.uint64


def _rng_constants(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(1, 2**63 - 1, size=n, dtype=np.int64).astype(np.uint64) | np.uint64(1)


@dataclass
class _Segment:
    keys: np.ndarray  # sorted uint64 band keys
    docs: np.ndarray  # int32 internal doc numbers, aligned with keys


class NearDuplicateIndex:
    def __init__(self, *, bands: int = 32, rows: int = 2, max_chars: int = 5000, max_df: float = 0.02,
                 bucket_cap: int = 2000, buffer_docs: int = 2048, seed: int = 20240601) -> None:
        if bands < 1 or rows < 1:
            raise ValueError("bands and rows must be positive")
        self.bands = bands
        self.rows = rows
        self.max_chars = max_chars
        self.max_df = max_df
        self.bucket_cap = bucket_cap
        self.buffer_docs = buffer_docs
        self.seed = seed
        n_hash = bands * rows
        self._hash_a = _rng_constants(seed, n_hash)
        self._hash_b = _rng_constants(seed + 1, n_hash)
        self._band_mult = _rng_constants(seed + 2, rows)
        self._band_salt = _rng_constants(seed + 3, bands)
        self.stop_shingles = np.zeros(0, dtype=np.uint32)
        # documents
        self._ext_ids: list[int] = []
        self._alive: list[bool] = []
        self._pos: dict[int, int] = {}
        self._feat_ids: list[np.ndarray] = []  # per doc: sorted unique bigram hashes (uint32)
        self._feat_tf: list[np.ndarray] = []  # per doc: occurrences of each bigram (uint8, capped at 255)
        self._df = np.zeros(1 << _DF_BITS, dtype=np.int32)
        self._n_alive = 0
        self._max_id = 0
        # LSH
        self._segments: list[_Segment] = []
        self._buffer_keys: list[np.ndarray] = []  # per buffered doc: (bands,) uint64
        self._buffer_docs: list[int] = []

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, ids: Sequence[int], texts: Sequence[str], **options: object) -> NearDuplicateIndex:
        """A new index over a corpus; bigrams in more than `max_df` of it (at least 1,000 texts) become stop
        shingles for the LSH stage."""
        index = cls(**options)  # type: ignore[arg-type]
        feats = [index._features(t) for t in texts]
        if len(texts) >= 1000:
            all_ids = np.concatenate([f[0] for f in feats]) if feats else np.zeros(0, np.uint32)
            uniq, df = np.unique(all_ids, return_counts=True)
            index.stop_shingles = uniq[df > index.max_df * len(texts)].astype(np.uint32)
        index._add_features(list(ids), feats)
        return index

    def add(self, id: int, text: str) -> None:  # noqa: A002
        self._add_features([int(id)], [self._features(text)])

    def add_many(self, ids: Iterable[int], texts: Iterable[str]) -> None:
        ids = [int(i) for i in ids]
        self._add_features(ids, [self._features(t) for t in texts])

    def remove(self, id: int) -> bool:  # noqa: A002
        pos = self._pos.pop(int(id), None)
        if pos is None:
            return False
        self._alive[pos] = False
        self._n_alive -= 1
        np.subtract.at(self._df, self._feat_ids[pos] & np.uint32((1 << _DF_BITS) - 1), 1)
        self._feat_ids[pos] = np.zeros(0, dtype=np.uint32)
        self._feat_tf[pos] = np.zeros(0, dtype=np.uint8)
        return True

    def __len__(self) -> int:
        return self._n_alive

    def max_id(self) -> int:
        """The highest id ever added (0 when empty): callers catch up with ids above it."""
        return self._max_id

    def __contains__(self, id: object) -> bool:  # noqa: A002
        return id in self._pos

    # ------------------------------------------------------------------ querying
    def query(self, text: str, k: int = 5, min_score: float = 0.5, *, exclude: int | None = None) -> list[tuple[int, float]]:
        """Up to `k` indexed ids whose TF-IDF cosine with `text` is at least `min_score`, best first."""
        ids, tf = self._features(text)
        if ids.size == 0 or self._n_alive == 0:
            return []
        cand = self._candidates(self._band_keys(ids))
        if exclude is not None and int(exclude) in self._pos:
            cand = cand[cand != self._pos[int(exclude)]]
        if cand.size == 0:
            return []
        scores = self._cosine(ids, tf, cand)
        keep = np.nonzero(scores >= min_score - 1e-9)[0]
        if keep.size == 0:
            return []
        order = keep[np.lexsort((cand[keep], -scores[keep]))][:k]
        return [(self._ext_ids[int(cand[i])], round(float(scores[i]), 4)) for i in order]

    def candidates(self, text: str) -> list[int]:
        """The ids that stage 1 proposes for `text` (for measuring recall)."""
        ids, _ = self._features(text)
        if ids.size == 0:
            return []
        return [self._ext_ids[int(c)] for c in self._candidates(self._band_keys(ids))]

    def brute_force(self, texts: Sequence[str], min_score: float = 0.5, *, chunk: int = 100_000
                    ) -> list[list[tuple[int, float]]]:
        """Exact TF-IDF cosine of each text against every indexed document (no LSH): the baseline the
        index is measured against. Returns, per text, all (id, score) with score >= min_score, best first."""
        import scipy.sparse as sp

        feats = [self._features(t) for t in texts]
        vocab = np.unique(np.concatenate([f[0] for f in feats])) if feats else np.zeros(0, np.uint32)
        q_rows, q_cols, q_vals = [], [], []
        for n, (ids, tf) in enumerate(feats):
            w = (1.0 + np.log(tf.astype(np.float64))) * self._idf(ids)
            w /= np.linalg.norm(w) or 1.0
            q_rows.append(np.full(ids.size, n))
            q_cols.append(np.searchsorted(vocab, ids))
            q_vals.append(w)
        q = sp.csr_matrix((np.concatenate(q_vals), (np.concatenate(q_cols), np.concatenate(q_rows))),
                          shape=(vocab.size, len(texts))) if feats else sp.csr_matrix((0, 0))
        found: list[list[tuple[int, float]]] = [[] for _ in texts]
        for start in range(0, len(self._ext_ids), chunk):
            stop = min(start + chunk, len(self._ext_ids))
            lengths = np.array([self._feat_ids[i].size for i in range(start, stop)], dtype=np.int64)
            ids = np.concatenate(self._feat_ids[start:stop])
            w = (1.0 + np.log(np.concatenate(self._feat_tf[start:stop]).astype(np.float64))) * self._idf(ids)
            owner = np.repeat(np.arange(stop - start), lengths)
            norms = np.sqrt(np.bincount(owner, weights=w * w, minlength=stop - start))
            pos = np.searchsorted(vocab, ids)
            pos[pos >= vocab.size] = 0
            hit = (vocab[pos] == ids) if vocab.size else np.zeros(ids.size, dtype=bool)
            docs = sp.csr_matrix((w[hit], (owner[hit], pos[hit])), shape=(stop - start, vocab.size))
            sims = (docs @ q).toarray()
            with np.errstate(invalid="ignore", divide="ignore"):
                sims = np.where(norms[:, None] > 0, sims / norms[:, None], 0.0)
            alive = np.array(self._alive[start:stop], dtype=bool)
            for d, t in zip(*np.nonzero((sims >= min_score - 1e-9) & alive[:, None]), strict=True):
                found[t].append((self._ext_ids[start + d], round(float(sims[d, t]), 4)))
        for lst in found:
            lst.sort(key=lambda x: (-x[1], x[0]))
        return found

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> None:
        """One .npz file, written to a temporary name and renamed, so readers never see half a file."""
        self._flush_buffer()
        lengths = np.array([f.size for f in self._feat_ids], dtype=np.int64)
        meta = {
            "format": FORMAT, "version": FORMAT_VERSION, "bands": self.bands, "rows": self.rows,
            "max_chars": self.max_chars, "max_df": self.max_df, "bucket_cap": self.bucket_cap,
            "buffer_docs": self.buffer_docs, "seed": self.seed,
        }
        seg_keys = np.concatenate([s.keys for s in self._segments]) if self._segments else np.zeros(0, _U64)
        seg_docs = np.concatenate([s.docs for s in self._segments]) if self._segments else np.zeros(0, np.int32)
        seg_sizes = np.array([s.keys.size for s in self._segments], dtype=np.int64)
        arrays = {
            "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            "ext_ids": np.array(self._ext_ids, dtype=np.int64),
            "alive": np.array(self._alive, dtype=bool),
            "lengths": lengths,
            "feat_ids": np.concatenate(self._feat_ids) if self._feat_ids else np.zeros(0, np.uint32),
            "feat_tf": np.concatenate(self._feat_tf) if self._feat_tf else np.zeros(0, np.uint8),
            "stop_shingles": self.stop_shingles,
            "seg_keys": seg_keys, "seg_docs": seg_docs, "seg_sizes": seg_sizes,
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> NearDuplicateIndex:
        with np.load(path, allow_pickle=False) as npz:
            data = {name: npz[name] for name in npz.files}
        meta = json.loads(bytes(data["meta"]).decode())
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: not a near-duplicate index")
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path}: index format version {meta.get('version')}, expected {FORMAT_VERSION}")
        options = {k: meta[k] for k in ("bands", "rows", "max_chars", "max_df", "bucket_cap", "buffer_docs", "seed")}
        index = cls(**options)
        index.stop_shingles = data["stop_shingles"]
        alive, lengths = data["alive"], data["lengths"]
        index._ext_ids = data["ext_ids"].tolist()
        index._max_id = max(index._ext_ids, default=0)
        index._alive = alive.tolist()
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        feat_ids, feat_tf = data["feat_ids"], data["feat_tf"]
        index._feat_ids = [feat_ids[bounds[i]:bounds[i + 1]] for i in range(len(index._ext_ids))]
        index._feat_tf = [feat_tf[bounds[i]:bounds[i + 1]] for i in range(len(index._ext_ids))]
        index._pos = {e: i for i, (e, a) in enumerate(zip(index._ext_ids, index._alive, strict=True)) if a}
        index._n_alive = len(index._pos)
        if feat_ids.size:
            live = feat_ids[np.repeat(alive, lengths)]
            index._df = np.bincount(live & np.uint32((1 << _DF_BITS) - 1), minlength=1 << _DF_BITS).astype(np.int32)
        start = 0
        seg_keys, seg_docs = data["seg_keys"], data["seg_docs"]
        for size in data["seg_sizes"].tolist():
            index._segments.append(_Segment(seg_keys[start:start + size], seg_docs[start:start + size]))
            start += size
        return index

    # ------------------------------------------------------------------ internals
    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        norm = normalize(text)[: self.max_chars]
        ids, counts = shingle_counts(norm, 2, normalized=True)
        return ids, np.minimum(counts, 255).astype(np.uint8)

    def _add_features(self, ids: list[int], feats: list[tuple[np.ndarray, np.ndarray]]) -> None:
        step = 4096
        for start in range(0, len(ids), step):
            chunk_ids, chunk_feats = ids[start:start + step], feats[start:start + step]
            keys = self._band_keys_many([f[0] for f in chunk_feats])
            for row, (ext, (fid, ftf)) in enumerate(zip(chunk_ids, chunk_feats, strict=True)):
                if ext in self._pos:
                    self.remove(ext)
                pos = len(self._ext_ids)
                self._ext_ids.append(ext)
                self._max_id = max(self._max_id, ext)
                self._alive.append(True)
                self._pos[ext] = pos
                self._feat_ids.append(fid)
                self._feat_tf.append(ftf)
                self._n_alive += 1
                if fid.size:
                    self._buffer_keys.append(keys[row])
                    self._buffer_docs.append(pos)
                if len(self._buffer_docs) >= self.buffer_docs:
                    self._flush_buffer()
            if chunk_feats:
                all_ids = np.concatenate([f[0] for f in chunk_feats])
                self._df += np.bincount(all_ids & np.uint32((1 << _DF_BITS) - 1), minlength=1 << _DF_BITS).astype(np.int32)

    def _signature(self, ids: np.ndarray) -> np.ndarray:
        return self._signatures([ids])[0]

    def _signatures(self, sets: list[np.ndarray]) -> np.ndarray:
        """(len(sets), bands*rows) minhash values (uint32) of each shingle set minus the stop shingles.

        Minhash i of x is the high 32 bits of a_i*x + b_i (mod 2**64), a multiply-add-shift family:
        computed for all shingles of a batch at once, then reduced per set with minimum.reduceat.
        """
        n_hash = self.bands * self.rows
        out = np.zeros((len(sets), n_hash), dtype=np.uint32)
        if self.stop_shingles.size:
            sets = [s[~np.isin(s, self.stop_shingles, assume_unique=True)] for s in sets]
        lengths = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
        nonempty = np.nonzero(lengths)[0]
        if nonempty.size == 0:
            return out
        x = np.concatenate([sets[i] for i in nonempty.tolist()]).astype(np.uint64)
        starts = np.concatenate([[0], np.cumsum(lengths[nonempty])[:-1]])
        for lo in range(0, n_hash, 16):
            hi = min(n_hash, lo + 16)
            with np.errstate(over="ignore"):
                h = (self._hash_a[lo:hi, None] * x[None, :] + self._hash_b[lo:hi, None]) >> np.uint64(32)
            out[nonempty, lo:hi] = np.minimum.reduceat(h, starts, axis=1).T.astype(np.uint32)
        return out

    def _band_keys(self, ids: np.ndarray) -> np.ndarray:
        return self._band_keys_many([ids])[0]

    def _band_keys_many(self, sets: list[np.ndarray]) -> np.ndarray:
        """(len(sets), bands) uint64 keys: each band's `rows` minhash values hashed together with a salt per band."""
        sig = self._signatures(sets).astype(np.uint64).reshape(len(sets), self.bands, self.rows)
        with np.errstate(over="ignore"):
            keys = (sig * self._band_mult[None, None, :]).sum(axis=2, dtype=np.uint64) + self._band_salt[None, :]
            keys ^= keys >> np.uint64(29)
        return keys

    def _flush_buffer(self) -> None:
        if not self._buffer_docs:
            return
        keys = np.concatenate(self._buffer_keys)
        docs = np.repeat(np.array(self._buffer_docs, dtype=np.int32), self.bands)
        self._buffer_keys, self._buffer_docs = [], []
        order = np.argsort(keys, kind="stable")
        self._segments.append(_Segment(keys[order], docs[order]))
        # Merge while the newest segment is at least half the size of the one before it: segment
        # sizes stay geometric, so there are O(log n) segments and each key is merged O(log n) times.
        while len(self._segments) > 1 and self._segments[-1].keys.size * 2 >= self._segments[-2].keys.size:
            b = self._segments.pop()
            a = self._segments.pop()
            keys = np.concatenate([a.keys, b.keys])
            docs = np.concatenate([a.docs, b.docs])
            order = np.argsort(keys, kind="stable")
            self._segments.append(_Segment(keys[order], docs[order]))

    def _candidates(self, qkeys: np.ndarray) -> np.ndarray:
        found: list[np.ndarray] = []
        for seg in self._segments:
            lo = np.searchsorted(seg.keys, qkeys, side="left")
            hi = np.searchsorted(seg.keys, qkeys, side="right")
            hi = np.minimum(hi, lo + self.bucket_cap)
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
                if b > a:
                    found.append(seg.docs[a:b])
        if self._buffer_docs:
            buf = np.stack(self._buffer_keys)
            hit = (buf == qkeys[None, :]).any(axis=1)
            if hit.any():
                found.append(np.array(self._buffer_docs, dtype=np.int32)[hit])
        if not found:
            return np.zeros(0, dtype=np.int64)
        cand, shared = np.unique(np.concatenate(found), return_counts=True)
        cand = cand.astype(np.int64)
        if cand.size > MAX_SCORED:  # the candidates sharing the most bands (ties: the lowest numbers)
            keep = np.sort(np.lexsort((cand, -shared))[:MAX_SCORED])
            cand = cand[keep]
        alive = np.fromiter((self._alive[c] for c in cand.tolist()), dtype=bool, count=cand.size)
        return cand[alive]

    def _idf(self, ids: np.ndarray) -> np.ndarray:
        df = self._df[ids & np.uint32((1 << _DF_BITS) - 1)].astype(np.float64)
        return np.log((1.0 + self._n_alive) / (1.0 + df)) + 1.0

    def _cosine(self, qids: np.ndarray, qtf: np.ndarray, cand: np.ndarray) -> np.ndarray:
        qw = (1.0 + np.log(qtf.astype(np.float64))) * self._idf(qids)
        qw /= np.linalg.norm(qw) or 1.0
        parts_ids = [self._feat_ids[c] for c in cand.tolist()]
        parts_tf = [self._feat_tf[c] for c in cand.tolist()]
        lengths = np.fromiter((p.size for p in parts_ids), dtype=np.int64, count=len(parts_ids))
        cids = np.concatenate(parts_ids)
        cw = (1.0 + np.log(np.concatenate(parts_tf).astype(np.float64))) * self._idf(cids)
        owner = np.repeat(np.arange(cand.size), lengths)
        norms = np.sqrt(np.bincount(owner, weights=cw * cw, minlength=cand.size))
        pos = np.searchsorted(qids, cids)
        pos[pos >= qids.size] = 0
        match = qids[pos] == cids
        dots = np.bincount(owner[match], weights=cw[match] * qw[pos[match]], minlength=cand.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(norms > 0, dots / norms, 0.0)
