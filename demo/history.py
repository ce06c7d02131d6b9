"""Hooks that give demo matters a lifecycle after they are registered (accept, transfer, reply, rate …).

The intake generator writes matters in the "registered" state. The lifecycle app adds its history
by listing a callable here (dotted path): it is called once per batch, inside the batch's
transaction, as `hook(petition_ids: list[int], rng: random.Random)`, and must be deterministic
for a given rng state and fast (bulk writes), because `seed_demo --petitions 1000000` calls it
for every batch of 5,000 matters. Replies and ratings belong there, written through the
lifecycle's own bulk path with events dated after each matter's `received_at`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from importlib import import_module

from stats.services import record_conclusions

HISTORY_HOOKS: list[str] = [
    "handling.demo.advance",
    "leaders.demo.assign_cases",
]


# Called once before a load's first batch, before parallel writers start (demo.generator.run_parallel):
# shared rows that a hook would otherwise add when it first needs them, racing the other writers.
SETUP_HOOKS: list[str] = [
    "handling.demo.prepare",
]


def run_setup() -> None:
    for path in SETUP_HOOKS:
        module, _, name = path.rpartition(".")
        getattr(import_module(module), name)()


def _load(path: str) -> Callable[[list[int], random.Random], None]:
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def run_hooks(petition_ids: list[int], rng: random.Random) -> None:
    for path in HISTORY_HOOKS:
        _load(path)(petition_ids, rng)
    record_conclusions(petition_ids)  # what the lifecycle concluded, for 化解率
