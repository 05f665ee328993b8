"""``python -m benchmarks``: run the cases side by side and print the table.

    python -m benchmarks                      every case at full size (1,000,000 rows)
    python -m benchmarks --smoke              every case at 10,000 rows (as CI does)
    python -m benchmarks --cases B1,B4 --size 100000 --repeats 5
    python -m benchmarks --profile B1:sgfund  one run under cProfile; prints where time goes
    python -m benchmarks --list               the cases and their variants

See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import pstats
import sys
from pathlib import Path

from benchmarks.cases import Case, all_cases, arguments, with_baseline
from benchmarks.runner import Measured, machine, markdown, report, run_case, table

HERE = Path(__file__).resolve().parent
FULL, SMOKE = 1_000_000, 10_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--size",
        type=int,
        default=None,
        help=f"applications per sheet (default {FULL:,}; grants are a tenth)",
    )
    parser.add_argument("--smoke", action="store_true", help=f"the small size ({SMOKE:,})")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each variant (>= 1)")
    parser.add_argument("--cases", default="", help="comma-separated case ids (default all)")
    parser.add_argument(
        "--data", type=Path, default=HERE / "out" / "data", help="where generated data is kept"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="results file (default benchmarks/out/results-<size>.json)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated cases (B1-narrow) or variants (B3:ledger import) not to run",
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    parser.add_argument("--profile", metavar="CASE:VARIANT", help="profile one variant once")
    parser.add_argument(
        "--baseline-src",
        metavar="DIR",
        help="also run each sgfund variant importing sgfund from DIR (another checkout's src/)",
    )
    parser.add_argument(
        "--markdown", metavar="RESULTS.json", type=Path, help="print a results file as Markdown"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    return parser


def _selected(cases: tuple[Case, ...], wanted: str) -> list[Case]:
    if not wanted:
        return list(cases)
    ids = [w.strip() for w in wanted.split(",") if w.strip()]
    chosen = [c for c in cases if any(c.id == i or c.id.startswith(f"{i}-") for i in ids)]
    unknown = [i for i in ids if not any(c.id == i or c.id.startswith(f"{i}-") for c in cases)]
    if unknown:
        known = ", ".join(c.id for c in cases)
        raise SystemExit(f"unknown case(s): {', '.join(unknown)}; known: {known}")
    return chosen


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _profile(cases: tuple[Case, ...], which: str, size: int, folder: Path) -> int:
    from benchmarks.runner import run_once

    case_id, _, name = which.partition(":")
    case = next((c for c in cases if c.id == case_id), None)
    variant = next((v for v in case.variants if v.name == name), None) if case else None
    if case is None or variant is None or variant.target is None:
        raise SystemExit(f"no timed variant {which!r}; see --list")
    out = HERE / "out" / f"profile-{case_id}-{name.replace(' ', '_').replace('>', '')}.prof"
    out.parent.mkdir(parents=True, exist_ok=True)
    spec = {
        "target": variant.target,
        "args": arguments(case, variant, size, folder, False),
        "profile": str(out),
    }
    sample = run_once(variant, spec, timeout=24 * 3600)
    print(f"{which}: {sample.seconds:.2f} s under cProfile; statistics in {out}")
    stats = pstats.Stats(str(out))
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    cases = all_cases()
    if args.markdown:
        print("\n".join(markdown(json.loads(args.markdown.read_text(encoding="utf-8")))))
        return 0
    if args.list:
        for case in cases:
            print(f"{case.id}: {case.title}")
            for v in case.variants:
                print(f"    {v.name}: {v.label}")
        return 0
    size = args.size or (SMOKE if args.smoke else FULL)
    if args.repeats < 1 or size < 100:
        raise SystemExit("--repeats must be at least 1 and --size at least 100")
    if args.profile:
        return _profile(cases, args.profile, size, args.data)
    chosen = _selected(cases, args.cases)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    variants = {f"{c.id}:{v.name}" for c in cases for v in c.variants}
    unknown = skip - variants - {c.id for c in cases}
    if unknown:
        raise SystemExit(f"--skip: no such case or variant: {', '.join(sorted(unknown))}")
    chosen = [c for c in chosen if c.id not in skip]
    leave_out = frozenset(skip & variants)
    if args.baseline_src:
        source = str(Path(args.baseline_src).resolve())
        chosen = [with_baseline(case, source) for case in chosen]
    target = args.json or HERE / "out" / f"results-{size}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    info = machine()
    _log(f"size {size:,}, {args.repeats} repeats, data in {args.data}")
    results: dict[str, Measured] = {}
    lines: list[str] = []
    for case in chosen:
        run = run_case(
            case, size, args.repeats, args.data, timeout=args.timeout, log=_log, leave_out=leave_out
        )
        for m in run:
            results[f"{m.case}:{m.variant}"] = m
        done = table(case, [m for k, m in results.items() if k.startswith(f"{case.id}:")], results)
        lines.extend([*done, ""])
        _log("\n".join(done))
        info["load_average_after"] = machine()["load_average"]
        data = report(chosen, results, info, size)
        target.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    header = (
        f"sgfund benchmarks, size {size:,}, {args.repeats} repeats; {info['cpu']}, "
        f"{info['cores']} cores; commit {info['commit'][:12]}; {info['date']}"
    )
    print(header)
    print(f"load average before {info['load_average']}, after {info['load_average_after']}")
    print()
    print("\n".join(lines))
    print(f"results written to {target}")
    bad = any(m.error for m in results.values()) or any(
        line.lstrip().startswith("problem:") for line in lines
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
