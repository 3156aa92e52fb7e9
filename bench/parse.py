"""How fast does duban.ingest.parse read a plan, and how much memory does it take?

    .venv/bin/python bench/parse.py                 # the seed plan + a 1,000-task plan in every format
    .venv/bin/python bench/parse.py --tasks 200 --formats docx,pdf --min-time 0.5

For each document: parses per second (wall clock, repeated for at least
--min-time seconds), milliseconds per parse, and the peak memory Python
allocated during one parse (tracemalloc; a separate, untimed run, since tracing
slows everything down). The synthetic plans are built once with
tests/ingest/builders.py before anything is timed.
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from duban.ingest import parse  # noqa: E402
from tests.ingest import builders  # noqa: E402

SEED = ROOT / "duban" / "data" / "xishan_2021_plan.txt"
FORMATS = {
    "text": (builders.build_text, "txt"),
    "docx": (builders.build_docx, "docx"),
    "xlsx": (builders.build_xlsx, "xlsx"),
    "html": (builders.build_html, "html"),
    "pdf": (builders.build_pdf, "pdf"),
}


def measure(data: bytes, filename: str, min_time: float) -> dict:
    plan = parse(data, filename)  # warm up imports and caches; also the task count
    runs = 0
    start, cpu = time.perf_counter(), time.process_time()
    elapsed = 0.0
    while runs < 2 or elapsed < min_time:
        parse(data, filename)
        runs += 1
        elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    tracemalloc.start()
    try:
        parse(data, filename)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "tasks": len(plan.tasks),
        "per_second": runs / elapsed,
        "ms": elapsed / runs * 1000,
        "cpu_ms": cpu / runs * 1000,
        "peak_mb": peak / 1024 / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", type=int, default=1000, help="tasks in the synthetic plan (default 1000)")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ",".join(FORMATS))
    ap.add_argument("--min-time", type=float, default=1.0, help="seconds to repeat each parse for (default 1)")
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        ap.error(f"unknown format(s): {', '.join(sorted(unknown))}")

    cases: list[tuple[str, str, bytes, str, float]] = []  # (case, format, data, filename, build seconds)
    cases.append(("seed", "text", SEED.read_bytes(), SEED.name, 0.0))
    table = builders.synthetic_table(args.tasks)
    for fmt in formats:
        build, ext = FORMATS[fmt]
        t0 = time.perf_counter()
        data = build(builders.TITLE, table, tail_paragraphs=builders.TAIL)
        built = time.perf_counter() - t0
        cases.append((f"{args.tasks} tasks", fmt, data, f"plan.{ext}", built))
        print(f"built {fmt:<5} {args.tasks} tasks: {len(data) / 1024:8.0f} KB in {built:.1f} s", file=sys.stderr, flush=True)

    header = f"{'document':<12} {'format':<6} {'size KB':>8} {'tasks':>6} {'docs/s':>9} {'ms/doc':>9} {'CPU ms':>9} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    for case, fmt, data, filename, _built in cases:
        r = measure(data, filename, args.min_time)
        print(
            f"{case:<12} {fmt:<6} {len(data) / 1024:8.0f} {r['tasks']:6d} {r['per_second']:9.2f} {r['ms']:9.1f} {r['cpu_ms']:9.1f} {r['peak_mb']:8.1f}",
            flush=True,
        )
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\ngoal (issue 14): a 1,000-task PDF in under 2 s. CPU ms is the parsing process's own time, steadier than")
    print("ms/doc (wall clock) on a machine shared with other work.")
    print(f"peak MB: Python allocations during one parse (tracemalloc); memory held by C libraries")
    print(f"(lxml, zlib) is not counted. Whole process max RSS: {rss:.0f} MB (includes building the files).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
