"""Category (and handling unit) suggestion: NB-SVM (linear SVMs over naive-Bayes-scaled TF-IDF) of jieba
words and character n-grams plus the votes of the nearest training texts, with calibrated confidences and
the terms that drove each suggestion.

Labels are plain strings: a level-1 category name, a full category path ("城乡建设/房地产市场/逾期交房")
or a unit code all work the same way.

Features (each block TF-IDF with sublinear tf and its own L2 norm, then weighted and stacked):

| block | what | weight |
|---|---|---|
| `c1` | single characters | 0.7 |
| `c2` | character bigrams (in at least 2 training texts) | 1.0 |
| `c3` | character trigrams (in at least 2 training texts) | 0.7 |
| `w1` | jieba words, stop words removed (in at least 2 training texts) | 1.0 |
| `h13` | characters 1-3-grams of the first 30 characters (the title) | 1.0 |

Characters are taken from the text after normalisation and stop-word removal, so raw text looks
like the public training file (segmented, stop words removed, joined).

Each label is scored by its own binary linear SVM (label against the rest, balanced class weights) over
the features multiplied by the label's naive-Bayes log-count ratio (Wang & Manning 2012, "NB-SVM");
the ratio is folded into the weights, so a suggestion costs one sparse dot product. On stratified
5-fold cross-validation of complaints_train.csv this gave about +0.004 macro-F1 over the plain
one-vs-rest SVM on the same features; blocks, weights, C and smoothing were chosen there (see
bench/insight_classifier.py and bench/README.md), and variations within about 0.002 of each other
were treated as equal (noise) rather than tuned further against the held-out benchmark.

The five training texts nearest to the text (cosine of the character-bigram block alone) then vote:
each adds 0.5 times its similarity to its own label's score. Exact and near repeats gain nothing (the
SVM already labels them as their earlier copies are labelled); the votes change close calls between
labels, about 40 to right for 25-30 to wrong out of 7,369. On the same cross-validation this gave
+0.0012 to +0.0028 macro-F1 on each of five fold seeds (0.9352 mean against 0.9332). The block, k and
weight were chosen on the mean over those seeds among settings that all gain 0.001-0.002; chosen inside
each seed by nested cross-validation instead, the gain is +0.0018 on average, so expect about +0.0015 on
unseen messages (bench/insight_classifier_seeds.py, bench/README.md). One suggestion reads only the
training texts that share its bigrams: well under a millisecond.

Confidences are a softmax of the scores with one temperature fitted on a held-out quarter of the
training data (so 0.9 means right about nine times in ten on the training distribution).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

from insight.engine.text import code_points, ngram_hashes64, normalize, string_hashes64, words

FORMAT = "xinfang-suggester"
FORMAT_VERSION = 2
HEAD_CHARS = 30
MAX_CHARS = 1500
WORD_CHARS = 400
C = 0.5
NB_ALPHA = 1.0  # NB-SVM log-count ratios with add-one smoothing; 0 = a plain linear SVM
PLAIN_WEIGHT = 0.0
NEIGHBOURS = 5  # nearest training texts whose labels vote (0 = none)
NEIGHBOUR_WEIGHT = 0.5  # a vote is this times the cosine similarity, added to the label's SVM score
NEIGHBOUR_BLOCKS = ("c2",)  # the feature block(s) the similarity is measured on: character bigrams
# Only the latest this many training texts vote (the training data comes oldest first): one suggestion
# reads the posting lists of its bigrams over them, so an office of a million matters must not make them
# a million long.
NEIGHBOUR_MAX_TEXTS = 20000


@dataclass(frozen=True)
class Doc:
    """A text prepared once for every feature block."""

    words: tuple[str, ...]
    chars: str


def prepare(text: str, max_chars: int = MAX_CHARS, word_chars: int = WORD_CHARS, hmm: bool = False) -> Doc:
    """The normalised text (its first `max_chars` characters) and the jieba words of its first `word_chars`
    characters, stop words removed. The title and the start of the body carry the topic; jieba's time
    grows with length, and one suggestion must stay within a few milliseconds."""
    chars = normalize(text)
    if max_chars:
        chars = chars[:max_chars]
    ws = tuple(w for w in words(chars[:word_chars] if word_chars else chars, normalized=True, hmm=hmm)
               if not (len(w) == 1 and w.isascii()))
    return Doc(ws, chars)


class CharGrams:
    """Analyzer: character n-grams of `Doc.chars` (of its first `head` characters when set)."""

    def __init__(self, n_min: int, n_max: int, head: int | None = None) -> None:
        self.n_min, self.n_max, self.head = n_min, n_max, head

    def __call__(self, doc: Doc) -> list[str]:
        s = doc.chars[: self.head] if self.head else doc.chars
        out: list[str] = []
        for n in range(self.n_min, self.n_max + 1):
            out.extend(s[i:i + n] for i in range(len(s) - n + 1))
        return out


class Words:
    def __call__(self, doc: Doc) -> list[str]:
        return list(doc.words)


@dataclass(frozen=True)
class Block:
    name: str
    analyzer: Any
    weight: float
    min_df: int


def default_blocks() -> list[Block]:
    return [
        Block("c1", CharGrams(1, 1), 0.7, 1),
        Block("c2", CharGrams(2, 2), 1.0, 2),
        Block("c3", CharGrams(3, 3), 0.7, 2),
        Block("w1", Words(), 1.0, 2),
        Block("h13", CharGrams(1, 3, head=HEAD_CHARS), 1.0, 2),
    ]


@dataclass
class FeatureSpace:
    """The stacked TF-IDF blocks. Fitted with scikit-learn's TfidfVectorizer; afterwards only each block's
    vocabulary and idf are kept, and `transform` computes the same vectors directly (scikit-learn's
    per-call overhead is most of the time for one short text)."""

    blocks: list[Block]
    vocabs: list[dict[str, int]] = field(default_factory=list)
    idfs: list[np.ndarray] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    names: np.ndarray | None = None  # feature index -> term (for explanations)
    n_features: int = 0
    hash_keys: list[np.ndarray | None] | None = None
    hash_features: list[np.ndarray | None] | None = None

    def fit_transform(self, docs: Sequence[Doc]) -> sp.csr_matrix:
        mats = []
        self.vocabs, self.idfs, self.offsets = [], [], []
        offset = 0
        names = []
        for block in self.blocks:
            min_df = block.min_df if len(docs) >= 50 else 1
            vec = TfidfVectorizer(analyzer=block.analyzer, sublinear_tf=True, min_df=min_df, lowercase=False,
                                  dtype=np.float32)
            try:
                m = vec.fit_transform(docs)
            except ValueError:  # no term survived min_df in a tiny corpus
                vec = TfidfVectorizer(analyzer=block.analyzer, sublinear_tf=True, lowercase=False, dtype=np.float32)
                m = vec.fit_transform(docs)
            self.vocabs.append({str(t): int(i) for t, i in vec.vocabulary_.items()})
            self.idfs.append(np.asarray(vec.idf_, dtype=np.float64))
            self.offsets.append(offset)
            offset += m.shape[1]
            mats.append(m * block.weight)
            names.append(vec.get_feature_names_out())
        self.n_features = offset
        self.names = np.concatenate(names).astype(object)
        self._index_hashes()
        return sp.hstack(mats, format="csr", dtype=np.float32)

    def _index_hashes(self) -> None:
        """For character blocks: the vocabulary as sorted 64-bit n-gram hashes (see text.ngram_hashes64)."""
        self.hash_keys, self.hash_features = [], []
        for block, vocab in zip(self.blocks, self.vocabs, strict=True):
            if isinstance(block.analyzer, CharGrams) and vocab:
                terms = list(vocab)
                keys = string_hashes64(terms)
                order = np.argsort(keys)
                keys = keys[order]
                if np.any(keys[1:] == keys[:-1]):
                    raise ValueError("n-gram hash collision in the vocabulary")  # pragma: no cover - 2**-64 odds
                self.hash_keys.append(keys)
                self.hash_features.append(np.fromiter((vocab[terms[i]] for i in order.tolist()), dtype=np.int64,
                                                      count=len(terms)))
            else:
                self.hash_keys.append(None)
                self.hash_features.append(None)

    def _block_counts(self, b: int, doc: Doc, cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices within block b, term counts) of one document."""
        assert self.hash_keys is not None and self.hash_features is not None
        block, keys, features = self.blocks[b], self.hash_keys[b], self.hash_features[b]
        if keys is not None and features is not None:
            grams: CharGrams = block.analyzer
            src = cps[: grams.head] if grams.head else cps
            hashes = np.concatenate([ngram_hashes64(src, n) for n in range(grams.n_min, grams.n_max + 1)])
            uniq, counts = np.unique(hashes, return_counts=True)
            pos = np.searchsorted(keys, uniq)
            pos[pos >= keys.size] = 0
            hit = keys[pos] == uniq
            return features[pos[hit]], counts[hit]
        vocab = self.vocabs[b]
        counted = Counter(block.analyzer(doc))
        found = [(vocab[t], n) for t, n in counted.items() if t in vocab]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        arr = np.array(found, dtype=np.int64)
        return arr[:, 0], arr[:, 1]

    def transform(self, docs: Sequence[Doc]) -> sp.csr_matrix:
        if getattr(self, "hash_keys", None) is None:
            self._index_hashes()
        indptr = [0]
        all_idx: list[np.ndarray] = []
        all_val: list[np.ndarray] = []
        total = 0
        for doc in docs:
            cps = code_points(doc.chars).astype(np.uint64)
            for b, block in enumerate(self.blocks):
                idx, tf = self._block_counts(b, doc, cps)
                if idx.size == 0:
                    continue
                val = (1.0 + np.log(tf)) * self.idfs[b][idx]
                val *= block.weight / np.sqrt(val @ val)
                order = np.argsort(idx)
                all_idx.append(idx[order] + self.offsets[b])
                all_val.append(val[order])
                total += idx.size
            indptr.append(total)
        if all_idx:
            indices, data = np.concatenate(all_idx), np.concatenate(all_val).astype(np.float32)
        else:
            indices, data = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return sp.csr_matrix((data, indices, np.array(indptr, dtype=np.int64)), shape=(len(docs), self.n_features))


class Neighbours:
    """Nearest-neighbour votes: each text's `k` most similar training texts (cosine of the `blocks` part of
    the feature vectors) add `weight` times their similarity to their own label's score.

    The training vectors are kept transposed (feature -> texts), so one suggestion reads only the rows of
    its own features: character bigrams are rare enough for that to cost well under a millisecond."""

    def __init__(self, space: FeatureSpace, x: sp.csr_matrix, y_idx: np.ndarray, n_classes: int, k: int,
                 weight: float, blocks: Sequence[str] = NEIGHBOUR_BLOCKS) -> None:
        ends = [*space.offsets[1:], space.n_features]
        self.mask = np.zeros(space.n_features, dtype=bool)
        for b, block in enumerate(space.blocks):
            if block.name in blocks:
                self.mask[space.offsets[b]:ends[b]] = True
        x, y_idx = x[-NEIGHBOUR_MAX_TEXTS:], np.asarray(y_idx)[-NEIGHBOUR_MAX_TEXTS:]
        self.xt = self._unit(x).T.tocsr().astype(np.float32)
        self.labels = np.asarray(y_idx, dtype=np.int64)
        self.n_classes, self.k, self.weight = n_classes, min(k, x.shape[0]), weight

    def _unit(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """The rows restricted to the neighbour blocks, each scaled to unit length (empty rows stay empty)."""
        x = sp.csr_matrix(x)
        keep = self.mask[x.indices] & (x.data != 0)
        indptr = np.concatenate([[0], np.cumsum(keep)])[x.indptr]
        data = x.data[keep].astype(np.float64)
        rows = np.repeat(np.arange(x.shape[0]), np.diff(indptr))
        norms = np.sqrt(np.bincount(rows, data * data, minlength=x.shape[0]))
        norms[norms == 0] = 1.0
        return sp.csr_matrix(((data / norms[rows]).astype(np.float32), x.indices[keep], indptr), shape=x.shape)

    def votes(self, x: sp.csr_matrix) -> np.ndarray:
        """(n texts, n_classes): weight * the summed similarity of each label among the k nearest."""
        out = np.zeros((x.shape[0], self.n_classes))
        if self.k <= 0 or self.weight == 0:
            return out
        chunk = max(1, 20_000_000 // max(1, self.xt.shape[1]))  # a dense chunk of similarities stays ~80 MB
        for start in range(0, x.shape[0], chunk):
            q = self._unit(x[start:start + chunk])
            sims = np.asarray((q @ self.xt).todense())
            top = np.argpartition(-sims, self.k - 1, axis=1)[:, :self.k] if self.k < sims.shape[1] else \
                np.tile(np.arange(sims.shape[1]), (sims.shape[0], 1))
            rows = np.repeat(np.arange(sims.shape[0]), top.shape[1])
            np.add.at(out[start:start + chunk], (rows, self.labels[top].ravel()),
                      np.take_along_axis(sims, top, axis=1).ravel())
        return out * self.weight


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float
    terms: tuple[str, ...]

    def __iter__(self):  # noqa: ANN204 - lets callers unpack (label, confidence, terms)
        return iter((self.label, self.confidence, self.terms))


class Model:
    """A trained suggester. `suggest()` is safe to call from several threads."""

    def __init__(self, features: FeatureSpace, classes: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                 temperature: float, info: dict[str, Any], neighbours: Neighbours | None = None) -> None:
        self.features = features
        self.neighbours = neighbours
        self.classes = classes
        self.coef = coef  # (n_classes, n_features) float32
        self.intercept = intercept
        self.temperature = temperature
        self.info = info
        params = info.get("params", {})
        self.max_chars = int(params.get("max_chars", MAX_CHARS))
        self.word_chars = int(params.get("word_chars", WORD_CHARS))
        self.hmm = bool(params.get("hmm", False))

    @property
    def coef_t(self) -> np.ndarray:
        """The weights as (n_features, n_classes), C-contiguous, made once for batch scoring."""
        cached = self.__dict__.get("_coef_t")
        if cached is None:
            cached = self.__dict__["_coef_t"] = np.ascontiguousarray(self.coef.T)
        return cached

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_coef_t", None)
        return state

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classes]

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        x = self.features.transform([prepare(t, self.max_chars, self.word_chars, self.hmm) for t in texts])
        return np.asarray(x @ self.coef_t) + self.intercept + self._votes(x)

    def _votes(self, x: sp.csr_matrix) -> np.ndarray | float:
        neighbours = getattr(self, "neighbours", None)  # models saved before neighbour votes have none
        return neighbours.votes(x) if neighbours is not None else 0.0

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.decision(texts) / self.temperature)

    def distribution(self, text: str) -> tuple[np.ndarray, sp.csr_matrix]:
        """The confidence of every label (aligned with `classes`) for one text, and its feature vector
        (for `terms`)."""
        x = self.features.transform([prepare(text, self.max_chars, self.word_chars, self.hmm)])
        scores = self.coef[:, x.indices] @ x.data + self.intercept + np.ravel(self._votes(x))
        return _softmax(scores[None, :] / self.temperature)[0], x

    def suggest(self, text: str, k: int = 3, *, n_terms: int = 5) -> list[Suggestion]:
        """The `k` most likely labels with confidence (0..1) and the terms that pushed each one up."""
        probs, x = self.distribution(text)
        top = np.argsort(-probs, kind="stable")[:k]
        return [Suggestion(str(self.classes[c]), round(float(probs[c]), 4), self.terms(x, int(c), n_terms))
                for c in top]

    def suggest_many(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        probs = self.probabilities(texts)
        top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
        return [[(str(self.classes[c]), round(float(p[c]), 4)) for c in row] for row, p in zip(top, probs, strict=True)]

    def terms(self, x: sp.csr_matrix, c: int, n_terms: int = 5) -> tuple[str, ...]:
        """Features with the largest positive contribution x_j * w_cj, merged across blocks (one
        term may be both a word and a character n-gram), longest first among overlaps."""
        idx = x.indices
        contrib = x.data * self.coef[c, idx]
        order = np.argsort(-contrib, kind="stable")
        assert self.features.names is not None
        scores: dict[str, float] = {}
        for j in order[: n_terms * 8]:
            if contrib[j] <= 0:
                break
            term = str(self.features.names[idx[j]])
            if len(term) < 2:
                continue
            scores[term] = scores.get(term, 0.0) + float(contrib[j])
        ranked = sorted(scores, key=lambda t: (-scores[t], t))
        chosen: list[str] = []
        for term in ranked:
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == n_terms:
                break
        return tuple(chosen)

    # -------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Pickle to `path` atomically (temporary file + rename); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": FORMAT, "version": FORMAT_VERSION, "model": self}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        """Load a model saved by `save`. Only load files this application wrote: pickle runs code."""
        with open(path, "rb") as fh:
            payload = pickle.load(fh)  # noqa: S301 - our own model files under var/insight/
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError(f"{path}: not a suggestion model")
        if payload.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path}: model format version {payload.get('version')}, expected {FORMAT_VERSION}; retrain")
        model = payload["model"]
        if not isinstance(model, cls):
            raise ValueError(f"{path}: not a suggestion model")
        return model


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_linear(x: sp.csr_matrix, y_idx: np.ndarray, n_classes: int, c: float, class_weight: str | None,
                nb_alpha: float, plain_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """(coef (n_classes, n_features) float32, intercept (n_classes,)) of one linear scorer per class.

    With `nb_alpha` > 0 each class is an NB-SVM (Wang & Manning 2012): a binary linear SVM, this class
    against the rest, over the features scaled by the class's log-count ratio r = log(p/|p| / q/|q|), where
    p and q count (with add-`nb_alpha` smoothing) in how many texts of the class and of the rest each
    feature occurs. The scaling is folded into the weights (w * r), so scoring is one sparse dot product as
    for a plain SVM. `plain_weight` > 0 adds that multiple of a plain one-vs-rest linear SVM's weights."""
    coef = np.zeros((n_classes, x.shape[1]), dtype=np.float64)
    intercept = np.zeros(n_classes)
    if nb_alpha > 0:
        xb = x.copy()
        xb.data = np.ones_like(xb.data)
        onehot = sp.csr_matrix((np.ones(len(y_idx)), (y_idx, np.arange(len(y_idx)))), shape=(n_classes, len(y_idx)))
        per_class = np.asarray((onehot @ xb).todense())
        total = per_class.sum(axis=0)
        for k in range(n_classes):
            p = nb_alpha + per_class[k]
            q = nb_alpha + (total - per_class[k])
            r = np.log(p / p.sum()) - np.log(q / q.sum())
            xr = (x @ sp.diags(r.astype(np.float32))).tocsr()
            svm = LinearSVC(C=c, class_weight=class_weight, max_iter=5000).fit(xr, y_idx == k)
            coef[k] = svm.coef_[0] * r
            intercept[k] = svm.intercept_[0]
    if plain_weight > 0 or nb_alpha <= 0:
        weight = plain_weight if nb_alpha > 0 else 1.0
        svm = LinearSVC(C=c, class_weight=class_weight, max_iter=5000).fit(x, y_idx)
        if n_classes == 2:  # binary LinearSVC has one score: positive class is classes_[1]
            plain_coef = np.vstack([-svm.coef_, svm.coef_]) / 2
            plain_intercept = np.concatenate([-svm.intercept_, svm.intercept_]) / 2
        else:
            plain_coef, plain_intercept = svm.coef_, svm.intercept_
        coef += weight * plain_coef
        intercept += weight * plain_intercept
    return coef.astype(np.float32), intercept


def _fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """The softmax temperature that minimises the log loss of out-of-fold scores (golden-section search
    over log T)."""
    def nll(log_t: float) -> float:
        p = _softmax(scores / np.exp(log_t))
        return float(-np.mean(np.log(p[np.arange(len(y_idx)), y_idx] + 1e-12)))

    lo, hi = np.log(0.01), np.log(10.0)
    g = (np.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(40):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(b)
    return float(np.exp((lo + hi) / 2))


def train(texts: Sequence[str], labels: Sequence[str], *, c: float = C, class_weight: str | None = "balanced",
          nb_alpha: float = NB_ALPHA, plain_weight: float = PLAIN_WEIGHT, calibration_holdout: float = 0.25,
          blocks: list[Block] | None = None, seed: int = 0, max_chars: int = MAX_CHARS, word_chars: int = WORD_CHARS,
          hmm: bool = False, neighbours: int = NEIGHBOURS, neighbour_weight: float = NEIGHBOUR_WEIGHT) -> Model:
    """Train a suggester on texts and their labels (any strings, at least two distinct)."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    y = np.array([str(label) for label in labels], dtype=object)
    classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    if len(classes) < 2:
        raise ValueError("need at least two different labels to train")
    started = time.perf_counter()
    docs = [prepare(t, max_chars, word_chars, hmm) for t in texts]
    space = FeatureSpace(blocks or default_blocks())
    x = space.fit_transform(docs)
    n_classes = len(classes)
    coef, intercept = _fit_linear(x, y_idx, n_classes, c, class_weight, nb_alpha, plain_weight)
    use_neighbours = neighbours > 0 and neighbour_weight != 0
    knn = Neighbours(space, x, y_idx, n_classes, neighbours, neighbour_weight) if use_neighbours else None

    # The softmax temperature is fitted on held-out scores: a model trained on the other part of the data
    # scores `calibration_holdout` of it (stratified when every label has at least two texts).
    temperature = 1.0
    held_out = int(round(len(y) * calibration_holdout)) if calibration_holdout > 0 else 0
    if held_out >= 10 and len(y) - held_out >= 2 * n_classes:
        stratify = y_idx if counts.min() >= 2 and held_out >= n_classes else None
        tr, te = train_test_split(np.arange(len(y)), test_size=held_out, random_state=seed, stratify=stratify)
        if len(np.unique(y_idx[tr])) == n_classes:  # every label must be learnt for the scores to line up
            inner_coef, inner_intercept = _fit_linear(x[tr], y_idx[tr], n_classes, c, class_weight, nb_alpha,
                                                      plain_weight)
            held_scores = np.asarray(x[te] @ inner_coef.T) + inner_intercept
            if use_neighbours:
                held_scores += Neighbours(space, x[tr], y_idx[tr], n_classes, neighbours, neighbour_weight).votes(x[te])
            temperature = _fit_temperature(held_scores, y_idx[te])

    info = {
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "train_seconds": round(time.perf_counter() - started, 2),
        "n_texts": len(y),
        "labels": {str(k): int(v) for k, v in zip(classes, counts, strict=True)},
        "n_features": int(x.shape[1]),
        "params": {"c": c, "max_chars": max_chars, "word_chars": word_chars, "hmm": hmm, "class_weight": class_weight,
                   "nb_alpha": nb_alpha, "plain_weight": plain_weight, "calibration_holdout": calibration_holdout,
                   "neighbours": neighbours if use_neighbours else 0, "neighbour_weight": neighbour_weight,
                   "neighbour_blocks": list(NEIGHBOUR_BLOCKS),
                   "blocks": [(b.name, b.weight, b.min_df) for b in space.blocks]},
        "temperature": temperature,
        "python": platform.python_version(),
        "fingerprint": hashlib.sha256("\n".join(f"{t}\t{lab}" for t, lab in zip(texts, y, strict=True))
                                      .encode()).hexdigest()[:16],
    }
    return Model(space, classes, coef, intercept, temperature, info, knn)
