"""Benchmark: category suggestion through the product's own path, as an office would run it.

    .venv/bin/python -m bench.insight_pipeline [--folds 5] [--seed 0] [--data DIR] [--only-folds N]

For each fold of a stratified k-fold split of complaints_train.csv (the same split as
bench/insight_classifier.py): a fresh SQLite database in a temporary folder, the training rows
imported as closed history with `manage.py import_petitions` (text -> 主要内容, label -> 内容分类),
`manage.py train_suggester` from that database, then `manage.py suggest --in test.csv --out out.csv`
on the held-out rows (columns id,text -> id,category,confidence). Macro-F1 over all held-out rows.
The data and every file made from it stay in the temporary folder (never in the repository).

Writes bench/results/insight_pipeline.json.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.insight_common import ROOT, data_dir, read_csv, write_json

UNIT_CODE = "BENCH-XFJ"


def manage(env: dict[str, str], *args: str) -> str:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    print(f"    manage.py {args[0]}: {time.perf_counter() - started:.1f} s", flush=True)
    return proc.stdout


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data")
    parser.add_argument("--only-folds", type=int, default=0, help="run only the first N folds (a quick check)")
    args = parser.parse_args()

    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    rows = read_csv(data_dir(args.data) / "complaints_train.csv")
    labels = np.array([r["label"] for r in rows], dtype=object)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(rows, labels))
    if args.only_folds:
        folds = folds[: args.only_folds]
    pred: dict[int, str] = {}
    conf: dict[int, float] = {}
    fold_stats = []
    with tempfile.TemporaryDirectory(prefix="insight-pipeline-") as tmp_name:
        tmp = Path(tmp_name)
        base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "XINFANG_INSIGHT_DIR")}
        template = tmp / "template.sqlite3"
        env = {**base_env, "XINFANG_VAR_DIR": str(tmp / "var"), "DATABASE_URL": f"sqlite:///{template}",
               "XINFANG_TESTING": "0"}
        print("migrating a template database ...", flush=True)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "shell", "-c",
               "from orgs.services import create_unit; from orgs.choices import Level, UnitKind; "
               f"create_unit(code='{UNIT_CODE}', name='评测信访局', level=Level.CITY, kind=UnitKind.BUREAU, "
               "division_code='430100')")
        for n, (tr, te) in enumerate(folds, 1):
            print(f"fold {n}: {len(tr)} imported, {len(te)} suggested", flush=True)
            folder = tmp / f"fold{n}"
            folder.mkdir()
            db = folder / "db.sqlite3"
            shutil.copy(template, db)
            fenv = {**env, "DATABASE_URL": f"sqlite:///{db}", "XINFANG_INSIGHT_DIR": str(folder / "insight")}
            write_csv(folder / "history.csv", ["id", "text", "label"],
                      [[rows[i]["id"], rows[i]["text"], rows[i]["label"]] for i in tr])
            write_csv(folder / "new.csv", ["id", "text"], [[rows[i]["id"], rows[i]["text"]] for i in te])
            t0 = time.perf_counter()
            manage(fenv, "import_petitions", str(folder / "history.csv"), "--no-progress",
                   "--map", "source_id=id", "--map", "content=text", "--map", "category=label",
                   "--set", "channel=online", "--set", f"receiving_unit={UNIT_CODE}",
                   "--set", "received_at=2020-01-01 09:00", "--set", "status=closed")
            import_s = time.perf_counter() - t0
            out = manage(fenv, "train_suggester")
            m = re.search(r"(\d+) texts, (\d+) labels, ([\d.]+) s", out)
            train_s = float(m.group(3)) if m else float("nan")
            t0 = time.perf_counter()
            manage(fenv, "suggest", "--in", str(folder / "new.csv"), "--out", str(folder / "out.csv"))
            suggest_s = time.perf_counter() - t0
            with open(folder / "out.csv", encoding="utf-8", newline="") as fh:
                for r in csv.DictReader(fh):
                    pred[int(r["id"])] = r["category"]
                    conf[int(r["id"])] = float(r["confidence"])
            ids = [int(rows[i]["id"]) for i in te]
            fold_f1 = f1_score(labels[te], [pred[i] for i in ids], average="macro")
            fold_stats.append({"imported": len(tr), "n_trained": int(m.group(1)) if m else None,
                               "suggested": len(te), "import_seconds": round(import_s, 1),
                               "train_seconds": train_s, "suggest_seconds": round(suggest_s, 1),
                               "macro_f1": round(float(fold_f1), 4)})
            print(f"  fold {n}: macro-F1 {fold_f1:.4f}, train {train_s:.1f} s", flush=True)
    done = [i for _, te in folds for i in te]
    y_true = labels[done]
    y_pred = np.array([pred[int(rows[i]["id"])] for i in done], dtype=object)
    macro = float(f1_score(y_true, y_pred, average="macro"))
    classes = sorted(set(labels))
    per_class = f1_score(y_true, y_pred, average=None, labels=classes)
    print(f"\nmacro-F1 through import -> train_suggester -> suggest: {macro:.4f} (target >= 0.935)")
    path = write_json("insight_pipeline", {
        "data": "complaints_train.csv", "folds": args.folds, "folds_run": len(folds), "seed": args.seed,
        "path": "manage.py import_petitions -> manage.py train_suggester -> manage.py suggest",
        "macro_f1": round(macro, 4), "accuracy": round(float((y_true == y_pred).mean()), 4),
        "per_class_f1": {c: round(float(f), 4) for c, f in zip(classes, per_class, strict=True)},
        "per_fold": fold_stats, "targets": {"macro_f1": 0.935, "train_seconds": 60},
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
