"""Run cskh benchmarks and print one table.

    python bench/run.py                 # all benchmarks
    python bench/run.py lookup search   # only modules whose name contains one of these words
    python bench/run.py --quick         # smaller sizes (smoke run)

Each bench/bench_*.py defines run(args) -> list[dict] (keys: benchmark, data, median, p95,
result, target). Big-data benchmarks use --database-url (PostgreSQL, default cskh_bench) and
skip cleanly when it is absent or too small.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import Skip  # noqa: E402

COLUMNS = ["benchmark", "data", "median", "p95", "result", "target"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("only", nargs="*")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cskh_bench")
    args = parser.parse_args()
    rows: list[dict] = []
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    for name in modules:
        if args.only and not any(word in name for word in args.only):
            continue
        started = time.monotonic()
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(name)
            rows.extend(module.run(args))
        except Skip as exc:
            rows.append({"benchmark": name, "result": f"skipped: {exc}"})
        except Exception as exc:  # a broken benchmark must not hide the others
            traceback.print_exc()
            rows.append({"benchmark": name, "result": f"error: {exc}"})
        print(f"  {name}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    print_table(rows)
    return 0


def print_table(rows: list[dict]) -> None:
    cells = [[str(r.get(c, "-")) for c in COLUMNS] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(COLUMNS)]
    line = " | ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
