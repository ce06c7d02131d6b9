"""`python -m bench` lists the benchmarks; `python -m bench NAME [args]` runs one."""

from __future__ import annotations

import pkgutil
import runpy
import sys
from pathlib import Path


def main() -> None:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if not m.name.startswith("_") and not m.name.endswith("_common"))
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        print("usage: python -m bench NAME [args]   (see bench/README.md)\n")
        print("\n".join(f"  {n}" for n in names))
        sys.exit(0 if len(sys.argv) < 2 else 2)
    name = sys.argv.pop(1)
    sys.argv[0] = f"bench.{name}"
    runpy.run_module(f"bench.{name}", run_name="__main__")


if __name__ == "__main__":
    main()
