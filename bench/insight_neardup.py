"""Benchmark: the near-duplicate index (insight/engine/neardup.py).

    .venv/bin/python -m bench.insight_neardup [--size 1000000] [--queries 1000] [--truth-queries 200] [--data DIR]

Ground truth, defined once: two texts are near duplicates when the exact TF-IDF cosine of their
character bigrams (normalised text: NFKC, lower case, punctuation and spaces removed; first 5,000
characters; sublinear tf, smoothed idf over the indexed corpus, L2 norm) is at least 0.5. At 0.5 the
pairs in complaints_hot.csv are the same matter raised again (same place and same problem in other
words); below it they drift to "same topic".

Part 1 — recall on real data: every message of complaints_hot.csv (4,326) queried against an index
of all of them; recall = pairs found with score >= 0.5 / pairs with exact cosine >= 0.5 by brute
force (scikit-learn TfidfVectorizer, all pairs). Also the largest difference between the index's
score and the brute-force cosine.

Part 2 — scale: the 4,326 real messages plus synthetic messages up to --size (default 1,000,000).
Synthetic messages are made from sentences of the public complaint files (hot, replies and the
labelled set), 2-6 random sentences each with 3 % of characters replaced, so they share phrases the
way real complaints do. Queries: real messages with 5 % of characters replaced and one sentence
dropped (their originals are indexed), and fresh synthetic messages. Lookup latency p50/p95 of
query(k=5, min_score=0.5); recall on --truth-queries of them against the exact brute-force cosine
over the whole index (NearDuplicateIndex.brute_force, also timed per query as the baseline); build
time, memory (RSS) and save/load of the 1M index.

Writes bench/results/insight_neardup.json.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.insight_common import data_dir, percentile, read_csv, table, write_json

THRESHOLD = 0.5
SENTENCE = re.compile(r"[^。！？!?；;\n]{8,}[。！？!?；;]?")


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def recall_on_hot(texts: list[str], ids: list[int]) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from insight.engine.neardup import NearDuplicateIndex
    from insight.engine.text import normalize

    t0 = time.perf_counter()
    index = NearDuplicateIndex.build(ids, texts)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, lowercase=False)
    x = vec.fit_transform([normalize(t)[:5000] for t in texts])
    sims = (x @ x.T).toarray()
    brute = time.perf_counter() - t0
    np.fill_diagonal(sims, 0)
    truth = {(int(i), int(j)) for i, j in zip(*np.nonzero(np.triu(sims >= THRESHOLD)), strict=True)}
    found: set[tuple[int, int]] = set()
    diffs, lat = [], []
    pos = {e: n for n, e in enumerate(ids)}
    for n, text in enumerate(texts):
        t0 = time.perf_counter()
        hits = index.query(text, k=10_000, min_score=THRESHOLD, exclude=ids[n])
        lat.append((time.perf_counter() - t0) * 1000)
        for other, score in hits:
            m = pos[other]
            found.add((min(n, m), max(n, m)))
            diffs.append(abs(score - sims[n, m]))
    return {
        "n": len(texts), "truth_pairs": len(truth), "found_pairs": len(found & truth),
        "recall": round(len(found & truth) / max(1, len(truth)), 4),
        "false_pairs": len(found - truth), "max_score_difference": round(max(diffs, default=0.0), 4),
        "build_seconds": round(build, 2), "brute_force_all_pairs_seconds": round(brute, 2),
        "query_ms_p50": round(percentile(lat, 50), 3), "query_ms_p95": round(percentile(lat, 95), 3),
        "stop_shingles": int(index.stop_shingles.size),
    }


class Synth:
    def __init__(self, pool_texts: list[str], seed: int) -> None:
        sentences: list[str] = []
        for t in pool_texts:
            parts = SENTENCE.findall(t)
            if len(parts) <= 1:  # the labelled file has no punctuation: cut into 20-60 character pieces
                i = 0
                while i < len(t):
                    step = 20 + ord(t[i]) % 41
                    parts.append(t[i:i + step])
                    i += step
            sentences.extend(p.strip() for p in parts if len(p.strip()) >= 8)
        self.sentences = sentences
        chars = sorted({c for s in sentences[:20000] for c in s if "\u4e00" <= c <= "\u9fff"})
        self.chars = np.array(chars)
        self.rng = np.random.default_rng(seed)

    def noise(self, text: str, rate: float) -> str:
        if not text:
            return text
        arr = np.array(list(text))
        hit = self.rng.random(arr.size) < rate
        arr[hit] = self.rng.choice(self.chars, int(hit.sum()))
        return "".join(arr.tolist())

    def message(self) -> str:
        k = int(self.rng.integers(2, 7))
        picks = self.rng.integers(0, len(self.sentences), k)
        return self.noise("".join(self.sentences[i] for i in picks.tolist()), 0.03)

    def perturb(self, text: str) -> str:
        parts = SENTENCE.findall(text)
        if len(parts) > 2:
            drop = int(self.rng.integers(0, len(parts)))
            text = "".join(p for i, p in enumerate(parts) if i != drop)
        return self.noise(text, 0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--truth-queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data")
    args = parser.parse_args()

    from insight.engine.neardup import NearDuplicateIndex

    folder = data_dir(args.data)
    hot = read_csv(folder / "complaints_hot.csv")
    texts = [f"{r['title']}\n{r['body']}" for r in hot]
    ids = [int(r["id"]) for r in hot]

    print(f"part 1: recall on complaints_hot.csv ({len(texts)} messages), near duplicate = TF-IDF cosine >= {THRESHOLD}",
          flush=True)
    part1 = recall_on_hot(texts, ids)
    print(table(["measure", "value"], [[k, v] for k, v in part1.items()]), flush=True)

    print(f"\npart 2: {args.size:,} indexed messages ({len(texts)} real + synthetic)", flush=True)
    pool = texts + [r["body"] for r in read_csv(folder / "complaints_replies.csv")] + \
        [r["text"] for r in read_csv(folder / "complaints_train.csv")]
    synth = Synth(pool, args.seed)
    del pool
    rss0 = rss_mb()
    t0 = time.perf_counter()
    # The stop shingles come from the first batch (real messages + synthetic), as `build` does from an
    # office's existing matters; the rest is added incrementally in batches, as matters are registered.
    first = texts + [synth.message() for _ in range(max(0, min(50_000, args.size) - len(texts)))]
    index = NearDuplicateIndex.build(ids + list(range(10**9, 10**9 + len(first) - len(texts))), first)
    next_id = 10**9 + len(first) - len(texts)
    del first
    batch = 50_000
    while len(index) < args.size:
        n = min(batch, args.size - len(index))
        index.add_many(range(next_id, next_id + n), (synth.message() for _ in range(n)))
        next_id += n
        if len(index) % 200_000 == 0:
            print(f"  {len(index):,} indexed, {time.perf_counter() - t0:.0f} s, RSS {rss_mb():.0f} MB", flush=True)
    build_seconds = time.perf_counter() - t0
    gc.collect()
    memory_mb = rss_mb() - rss0
    print(f"  built in {build_seconds:.0f} s; index memory about {memory_mb:.0f} MB (RSS growth)", flush=True)

    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(texts), size=min(args.queries // 2, len(texts)), replace=False)
    queries = [synth.perturb(texts[i]) for i in picks.tolist()] + \
        [synth.message() for _ in range(args.queries - len(picks))]
    index.query(queries[0])  # warm-up
    lat, cpu, results = [], [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        results.append(index.query(q, k=5, min_score=THRESHOLD))
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    found_original = sum(1 for n, i in enumerate(picks.tolist()) if any(h[0] == ids[i] for h in results[n]))

    # recall at scale against the exact brute force over all indexed messages
    truth_idx = rng.choice(len(queries), size=min(args.truth_queries, len(queries)), replace=False).tolist()
    truth_q = [queries[i] for i in truth_idx]
    t0 = time.perf_counter()
    truth = index.brute_force(truth_q, THRESHOLD)
    brute_ms = (time.perf_counter() - t0) * 1000 / max(1, len(truth_q))
    total, hit = 0, 0
    for q, exact in zip(truth_q, truth, strict=True):
        got = {i for i, _ in index.query(q, k=100_000, min_score=THRESHOLD)}
        total += len(exact)
        hit += sum(1 for i, _ in exact if i in got)
    recall_at_scale = hit / max(1, total)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "neardup.npz"
        t0 = time.perf_counter()
        index.save(path)
        save_s = time.perf_counter() - t0
        size_mb = os.path.getsize(path) / 1e6
        del index
        gc.collect()
        t0 = time.perf_counter()
        loaded = NearDuplicateIndex.load(path)
        load_s = time.perf_counter() - t0
        same = loaded.query(queries[0], k=5, min_score=THRESHOLD) == results[0]
        del loaded

    rows = [
        ["indexed messages", f"{args.size:,}"],
        ["build (incremental batches), s", round(build_seconds, 1)],
        ["index memory (RSS growth), MB", round(memory_mb)],
        ["lookup p50 / p95, ms (wall)", f"{percentile(lat, 50):.2f} / {percentile(lat, 95):.2f}"],
        ["lookup p50 / p95, ms (CPU)", f"{percentile(cpu, 50):.2f} / {percentile(cpu, 95):.2f}"],
        ["brute force per query, ms", round(brute_ms, 1)],
        ["speed-up vs brute force (p50)", round(brute_ms / max(percentile(lat, 50), 1e-9), 1)],
        [f"recall vs brute force ({len(truth_q)} queries, {total} pairs)", round(recall_at_scale, 4)],
        ["perturbed real message finds its original", f"{found_original}/{len(picks)}"],
        ["save / load, s", f"{save_s:.1f} / {load_s:.1f}"],
        ["file size, MB", round(size_mb)],
        ["loaded index answers the same", same],
    ]
    print(table(["measure", "value"], rows))
    out = write_json("insight_neardup", {
        "threshold": THRESHOLD,
        "ground_truth": "exact TF-IDF cosine of character bigrams (normalised text, sublinear tf, smoothed idf, L2) >= 0.5",
        "params": {"bands": 32, "rows": 2, "shingles": "character bigrams", "max_df_stop_shingles": 0.02},
        "hot": part1,
        "scale": {
            "size": args.size, "build_seconds": round(build_seconds, 1), "memory_mb": round(memory_mb),
            "lookup_ms": {"p50": round(percentile(lat, 50), 3), "p95": round(percentile(lat, 95), 3),
                          "cpu_p50": round(percentile(cpu, 50), 3), "cpu_p95": round(percentile(cpu, 95), 3),
                          "n": len(lat)},
            "brute_force_ms_per_query": round(brute_ms, 1),
            "recall_vs_brute_force": round(recall_at_scale, 4), "truth_pairs": total, "truth_queries": len(truth_q),
            "perturbed_found_original": found_original, "perturbed_queries": len(picks),
            "save_seconds": round(save_s, 1), "load_seconds": round(load_s, 1), "file_mb": round(size_mb),
        },
        "targets": {"recall": 0.95, "lookup_ms_at_1m": 20},
    })
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
