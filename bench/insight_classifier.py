"""Benchmark: category suggestion (insight/engine/classifier.py) on the public labelled complaints.

    .venv/bin/python -m bench.insight_classifier [--folds 5] [--seed 0] [--data DIR] [--grouped]

Stratified k-fold cross-validation on complaints_train.csv (7,369 messages, 7 level-1 labels):
macro-F1, per-class F1, accuracy, top-3 accuracy and calibration of the engine, against the plain
baseline measured on the same folds in the same run: TF-IDF of character 1-3-grams + LinearSVC with
scikit-learn defaults. Then one training on the whole file (time) and the latency of one
suggestion (with its terms) over 1,000 texts. `--grouped` adds a run where identical texts never
straddle folds (the file holds 156 groups of repeated messages).

Writes bench/results/insight_classifier.json.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from bench.insight_common import data_dir, percentile, read_csv, table, write_json


def cross_validate(texts: list[str], labels: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]],
                   params: dict) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    from insight.engine.classifier import train

    classes = np.unique(labels)
    pred = np.empty(len(labels), dtype=object)
    base_pred = np.empty(len(labels), dtype=object)
    top3 = np.zeros(len(labels), dtype=bool)
    conf = np.zeros(len(labels))
    times, base_times = [], []
    for n, (tr, te) in enumerate(folds, 1):
        t0 = time.perf_counter()
        model = train([texts[i] for i in tr], labels[tr], **params)
        times.append(time.perf_counter() - t0)
        probs = model.probabilities([texts[i] for i in te])
        order = np.argsort(-probs, axis=1)
        pred[te] = model.classes[order[:, 0]]
        conf[te] = probs[np.arange(len(te)), order[:, 0]]
        top3[te] = [labels[i] in set(model.classes[order[j, :3]]) for j, i in enumerate(te)]

        t0 = time.perf_counter()
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
        svm = LinearSVC().fit(vec.fit_transform([texts[i] for i in tr]), labels[tr])
        base_pred[te] = svm.predict(vec.transform([texts[i] for i in te]))
        base_times.append(time.perf_counter() - t0)
        fold_f1 = f1_score(labels[te], pred[te], average="macro")
        base_f1 = f1_score(labels[te], base_pred[te], average="macro")
        print(f"  fold {n}: engine {fold_f1:.4f} ({times[-1]:.1f} s)   baseline {base_f1:.4f} ({base_times[-1]:.1f} s)",
              flush=True)
    per_class = f1_score(labels, pred, average=None, labels=classes)
    base_per_class = f1_score(labels, base_pred, average=None, labels=classes)
    correct = pred == labels
    # expected calibration error over 10 confidence bins
    bins = np.minimum((conf * 10).astype(int), 9)
    ece = sum(abs(correct[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    return {
        "macro_f1": round(float(f1_score(labels, pred, average="macro")), 4),
        "accuracy": round(float(correct.mean()), 4),
        "top3_accuracy": round(float(top3.mean()), 4),
        "expected_calibration_error": round(float(ece), 4),
        "per_class_f1": {str(c): round(float(f), 4) for c, f in zip(classes, per_class, strict=True)},
        "fold_train_seconds": [round(t, 2) for t in times],
        "baseline": {
            "what": "TfidfVectorizer(analyzer='char', ngram_range=(1, 3)) + LinearSVC()",
            "macro_f1": round(float(f1_score(labels, base_pred, average="macro")), 4),
            "accuracy": round(float((base_pred == labels).mean()), 4),
            "per_class_f1": {str(c): round(float(f), 4) for c, f in zip(classes, base_per_class, strict=True)},
            "fold_train_seconds": [round(t, 2) for t in base_times],
        },
    }


def suggestion_latencies(model: Any, texts: list[str], seed: int) -> tuple[list[float], list[float]]:
    """Wall and thread-CPU milliseconds of one top-3 suggestion, for 1,000 texts drawn with `seed`."""
    rng = np.random.default_rng(seed)
    sample = [texts[i] for i in rng.choice(len(texts), 1000, replace=False)]
    model.suggest(sample[0])  # warm up (jieba dictionary)
    lat, cpu = [], []
    for text in sample:
        t0, c0 = time.perf_counter(), time.thread_time()
        model.suggest(text, k=3)
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return lat, cpu


def timing(texts: list[str], labels: np.ndarray, params: dict, seed: int) -> None:
    import os

    from insight.engine.classifier import train

    load_before = os.getloadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    model = train(texts, labels, **params)
    train_wall, train_cpu = time.perf_counter() - t0, time.process_time() - c0
    lat, cpu = suggestion_latencies(model, texts, seed)
    print(f"train on all {len(texts)}: {train_wall:.1f} s wall, {train_cpu:.1f} s CPU (target < 60 s); "
          f"suggestion p50 {percentile(lat, 50):.2f} ms, p95 {percentile(lat, 95):.2f} ms wall, "
          f"CPU p95 {percentile(cpu, 95):.2f} ms (target < 5 ms)")
    path = write_json("insight_classifier_timing", {
        "load_average_before": [round(x, 2) for x in load_before],
        "train_seconds_full": round(train_wall, 2), "train_cpu_seconds_full": round(train_cpu, 2),
        "suggest_latency_ms": {"p50": round(percentile(lat, 50), 3), "p95": round(percentile(lat, 95), 3),
                               "max": round(max(lat), 3), "n": len(lat),
                               "cpu_p50": round(percentile(cpu, 50), 3), "cpu_p95": round(percentile(cpu, 95), 3)},
        "targets": {"train_seconds": 60, "suggest_ms": 5},
    })
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data")
    parser.add_argument("--grouped", action="store_true", help="also run with repeated texts kept in one fold")
    parser.add_argument("--max-chars", type=int, default=None)
    parser.add_argument("--word-chars", type=int, default=None)
    parser.add_argument("--hmm", action="store_true", help="jieba finds words missing from its dictionary (slower)")
    parser.add_argument("--timing-only", action="store_true",
                        help="no cross-validation: time the training and suggestions again (the machine is shared) and "
                             "write insight_classifier_timing.json")
    args = parser.parse_args()

    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    from insight.engine.classifier import MAX_CHARS, WORD_CHARS, Model, train

    rows = read_csv(data_dir(args.data) / "complaints_train.csv")
    texts = [r["text"] for r in rows]
    labels = np.array([r["label"] for r in rows], dtype=object)
    params = {"max_chars": args.max_chars if args.max_chars is not None else MAX_CHARS,
              "word_chars": args.word_chars if args.word_chars is not None else WORD_CHARS,
              "hmm": args.hmm}
    print(f"complaints_train.csv: {len(texts)} texts, {len(set(labels))} labels; {args.folds}-fold stratified CV, "
          f"seed {args.seed}", flush=True)
    if args.timing_only:
        timing(texts, labels, params, args.seed)
        return
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(texts, labels))
    cv = cross_validate(texts, labels, folds, params)
    grouped = None
    if args.grouped:
        groups = np.unique(np.array(texts, dtype=object), return_inverse=True)[1]
        gfolds = list(StratifiedGroupKFold(args.folds, shuffle=True, random_state=args.seed)
                      .split(texts, labels, groups))
        print("grouped folds (identical texts kept together):", flush=True)
        grouped = cross_validate(texts, labels, gfolds, params)

    t0 = time.perf_counter()
    model = train(texts, labels, **params)
    train_seconds = time.perf_counter() - t0
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = model.save(Path(tmp) / "suggester.pkl")
        size_mb = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        model = Model.load(path)
        load_seconds = time.perf_counter() - t0
    lat, cpu = suggestion_latencies(model, texts, args.seed)

    ratio = cv["macro_f1"] / cv["baseline"]["macro_f1"]
    print()
    print(table(["class", "engine F1", "baseline F1"],
                [[c, cv["per_class_f1"][c], cv["baseline"]["per_class_f1"][c]] for c in cv["per_class_f1"]]))
    print()
    summary = [
        ["macro-F1 (5-fold CV)", cv["macro_f1"], cv["baseline"]["macro_f1"]],
        ["accuracy", cv["accuracy"], cv["baseline"]["accuracy"]],
        ["top-3 accuracy", cv["top3_accuracy"], "-"],
        ["calibration error (ECE)", cv["expected_calibration_error"], "-"],
        ["train one fold, s (mean)", float(np.mean(cv["fold_train_seconds"])), float(np.mean(cv["baseline"]["fold_train_seconds"]))],
    ]
    if grouped:
        summary.append(["macro-F1, repeats kept in one fold", grouped["macro_f1"], grouped["baseline"]["macro_f1"]])
    print(table(["measure", "engine", "baseline"], summary))
    print(f"\nmacro-F1 ratio engine/baseline: {ratio:.4f} (+{cv['macro_f1'] - cv['baseline']['macro_f1']:.4f})")
    print(f"train on all {len(texts)} texts: {train_seconds:.1f} s (target < 60 s); model file {size_mb:.1f} MB, "
          f"load {load_seconds:.2f} s")
    print(f"one suggestion (top-3 with terms): p50 {percentile(lat, 50):.2f} ms, p95 {percentile(lat, 95):.2f} ms, "
          f"max {max(lat):.1f} ms (target < 5 ms); CPU time p50 {percentile(cpu, 50):.2f} ms, "
          f"p95 {percentile(cpu, 95):.2f} ms (not inflated by other processes on the shared machine)")
    path = write_json("insight_classifier", {
        "data": "complaints_train.csv", "n_texts": len(texts), "folds": args.folds, "seed": args.seed,
        "params": model.info["params"],
        "cross_validation": cv,
        "cross_validation_grouped": grouped,
        "macro_f1_ratio_to_baseline": round(ratio, 4),
        "train_seconds_full": round(train_seconds, 2),
        "model_file_mb": round(size_mb, 1),
        "load_seconds": round(load_seconds, 2),
        "suggest_latency_ms": {"p50": round(percentile(lat, 50), 3), "p95": round(percentile(lat, 95), 3),
                               "max": round(max(lat), 3), "n": len(lat),
                               "cpu_p50": round(percentile(cpu, 50), 3), "cpu_p95": round(percentile(cpu, 95), 3)},
        "targets": {"macro_f1": 0.935, "train_seconds": 60, "suggest_ms": 5},
    })
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
