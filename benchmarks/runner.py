"""Run cases in fresh processes with interleaved repeats; tabulate, judge goals, write JSON."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.cases import MB, Case, Goal, Variant, arguments, rows_for

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Sample:
    """One run of one variant."""

    seconds: float
    peak_rss: int
    check: dict[str, Any]
    sgfund: str | None = None  # where the run imported sgfund from
    cpu_seconds: float | None = None  # CPU time of the timed work (every thread of the process)


@dataclass
class Measured:
    """Every run of one variant, and why it was skipped or failed, if it was."""

    case: str
    variant: str
    label: str
    rows: int
    samples: list[Sample] = field(default_factory=list)
    skipped: str | None = None
    error: str | None = None

    @property
    def times(self) -> list[float]:
        """Seconds of each run."""
        return [s.seconds for s in self.samples]

    @property
    def best(self) -> float | None:
        """The minimum time."""
        return min(self.times) if self.samples else None

    @property
    def median(self) -> float | None:
        """The median time."""
        return statistics.median(self.times) if self.samples else None

    @property
    def cpu(self) -> float | None:
        """CPU seconds of the fastest run (wall clock), when the run reported them."""
        if not self.samples:
            return None
        return min(self.samples, key=lambda s: s.seconds).cpu_seconds

    @property
    def peak_rss(self) -> int | None:
        """The largest peak resident memory of any run."""
        return max(s.peak_rss for s in self.samples) if self.samples else None


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.virtual_memory().total)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """What the numbers were measured on, and with what."""
    commit = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit + ("+changes" if dirty else ""),
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "memory_bytes": _memory(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            n: _version(n)
            for n in ("sgfund", "polars", "pandas", "flattentool", "jsonschema", "jsonschema-rs")
        },
    }


def _missing(variant: Variant) -> str | None:
    for module in variant.needs:
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[bench]')"
    return None


def _wait(process: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Exit code and peak resident bytes of a finished child (wait4 gives its own usage)."""
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        scale = 1 if sys.platform == "darwin" else 1024
        return process.returncode, usage.ru_maxrss * scale
    return process.wait(), 0


def run_once(variant: Variant, spec: dict[str, Any] | None, timeout: float) -> Sample:
    """One fresh process; a command is timed from outside, a target inside."""
    path = os.pathsep.join(filter(None, [str(ROOT), variant.source, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    if variant.command is not None:
        argv = list(variant.command)
    else:
        argv = [sys.executable, "-m", "benchmarks.child", json.dumps(spec)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            code, peak = _wait(process)
        finally:
            timer.cancel()
        outside = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        printed, complaint = out.read().decode(), err.read().decode()
    if code != 0:
        why = "killed after the time limit" if code < 0 else f"exit {code}"
        raise RuntimeError(f"{why}: {complaint.strip()[-2000:]}")
    if variant.command is not None:
        return Sample(outside, peak, {})
    result = json.loads(printed.strip().splitlines()[-1])
    return Sample(
        result["seconds"],
        result["peak_rss"],
        result["check"],
        result.get("sgfund"),
        result.get("cpu_seconds"),
    )


def run_case(
    case: Case,
    size: int,
    repeats: int,
    folder: Path,
    *,
    timeout: float,
    log: Any,
    leave_out: frozenset[str] = frozenset(),
) -> list[Measured]:
    """Every variant of ``case``, ``repeats`` times, interleaved (v1 v2 v3 v1 v2 v3 ...).

    ``leave_out`` names variants (``case:variant``) not to run; the table says so.
    """
    measured = [Measured(case.id, v.name, v.label, rows_for(case, v, size)) for v in case.variants]
    for m, v in zip(measured, case.variants, strict=True):
        m.skipped = "left out (--skip)" if f"{case.id}:{v.name}" in leave_out else _missing(v)
    for repeat in range(repeats * case.repeat_factor):
        for m, v in zip(measured, case.variants, strict=True):
            if m.skipped or m.error:
                continue
            spec = None
            if v.target is not None:
                args = arguments(case, v, size, folder, verify=repeat == 0)
                spec = {"target": v.target, "args": args}
            log(f"{case.id} {v.name} run {repeat + 1}/{repeats * case.repeat_factor} ...")
            try:
                sample = run_once(v, spec, timeout)
            except Exception as err:  # the table says which variant failed and why
                m.error = str(err)
                log(f"  failed: {m.error}")
                continue
            m.samples.append(sample)
            log(f"  {sample.seconds:.3f} s, peak {sample.peak_rss / MB:.0f} MB")
    return measured


def disagreements(measured: list[Measured]) -> list[str]:
    """Figures two variants of a case both report but give differently; values not equal."""
    seen: dict[tuple[int, str], tuple[str, Any]] = {}
    found = []
    for m in measured:
        for sample in m.samples:
            for key, value in sample.check.items():
                if key == "values_equal" and value is not True:
                    found.append(f"{m.variant}: {sample.check.get('difference')}")
                if key in ("values_equal", "difference"):
                    continue
                first = seen.setdefault((m.rows, key), (m.variant, value))
                if first[1] != value:
                    found.append(f"{key}: {m.variant} gives {value}, {first[0]} gives {first[1]}")
    return sorted(set(found))


def _lookup(results: dict[str, Measured], case: str, name: str | None) -> Measured | None:
    if name is None:
        return None
    key = name if ":" in name else f"{case}:{name}"
    return results.get(key)


def judge(goal: Goal, case: str, results: dict[str, Measured]) -> tuple[str, str]:
    """(verdict, measured value) for one goal: met, missed or not measured."""
    subject = _lookup(results, case, goal.variant)
    against = _lookup(results, case, goal.against)
    if subject is None or subject.best is None:
        return "not measured", ""
    if goal.kind == "rss":
        peak = subject.peak_rss or 0
        if goal.at_rows is not None and subject.rows != goal.at_rows:
            # A smaller run's peak says nothing about the goal's size: show it, judge nothing.
            return "not measured", f"{peak / MB:,.0f} MB at {subject.rows:,} rows"
        return ("met" if peak <= goal.limit else "missed"), f"{peak / MB:,.0f} MB"
    if goal.kind == "flat":
        runs = [subject, *(_lookup(results, case, name) for name in goal.across)]
        per_row = sorted({m.rows: m.best / m.rows for m in runs if m and m.best}.items())
        if len(per_row) < 2:
            return "not measured", ""
        times = [t for _, t in per_row]
        spread = max(times) / min(times)
        sizes = ", ".join(f"{t * 1e6:,.0f} µs at {rows:,}" for rows, t in per_row)
        verdict = "met" if spread <= goal.limit else "missed"
        return verdict, f"{sizes} (largest {spread:.2f}x the smallest)"
    if against is None or against.best is None:
        return "not measured", ""
    if goal.kind == "extra":
        extra = subject.best - against.best
        return ("met" if extra <= goal.limit else "missed"), f"+{extra * 1000:.0f} ms"
    ratio = subject.best / against.best
    if goal.kind == "speedup":
        speed = 1 / ratio
        return ("met" if speed >= goal.limit else "missed"), f"{speed:.2f}x faster"
    return ("met" if ratio <= goal.limit else "missed"), f"{ratio:.2f}x"


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 100 else f"{value:.1f}"


def table(case: Case, measured: list[Measured], results: dict[str, Measured]) -> list[str]:
    """The case as plain-text lines: one row per variant, then its goals."""
    base = _lookup(results, case.id, case.baseline)
    lines = [
        f"{case.id}: {case.title}",
        f"  {'variant':<24}{case.unit:>10}{'min s':>10}{'median s':>10}{'µs/' + case.unit[:-1]:>11}"
        f"{'x base':>9}{'x base med':>11}{'peak MB':>9}",
    ]
    for m in measured:
        if m.skipped or (m.error and not m.samples):
            why = m.skipped or "failed: " + (m.error or "").strip().splitlines()[-1][:200]
            lines.append(f"  {m.variant:<24}{m.rows:>10,}  {why}")
            continue
        ratio = ratio_med = "-"
        if base is not None and base.best and m.best is not None and base.median:
            ratio = f"{m.best / base.best:.2f}"
            ratio_med = f"{(m.median or 0) / base.median:.2f}"
        per = (m.best or 0) / m.rows * 1e6
        lines.append(
            f"  {m.variant:<24}{m.rows:>10,}{_seconds(m.best):>10}{_seconds(m.median):>10}"
            f"{per:>11.2f}{ratio:>9}{ratio_med:>11}{(m.peak_rss or 0) / MB:>9,.0f}"
        )
    for goal in case.goals:
        verdict, value = judge(goal, case.id, results)
        lines.append(f"  goal: {goal.variant} {goal.text}: {verdict} {value}".rstrip())
    lines.extend(f"  problem: {d}" for d in disagreements(measured))
    lines.extend(f"  note: {n}" for n in case.notes)
    return lines


def report(
    cases: list[Case], measured: dict[str, Measured], info: dict[str, Any], size: int
) -> dict[str, Any]:
    """Everything measured, as JSON-ready data."""
    out: dict[str, Any] = {"machine": info, "size": size, "cases": []}
    for case in cases:
        rows = [m for key, m in measured.items() if key.startswith(f"{case.id}:")]
        out["cases"].append(
            {
                "id": case.id,
                "title": case.title,
                "baseline": case.baseline,
                "variants": [
                    {
                        **{k: v for k, v in asdict(m).items() if k != "samples"},
                        "min_seconds": m.best,
                        "median_seconds": m.median,
                        "cpu_seconds": m.cpu,
                        "peak_rss_bytes": m.peak_rss,
                        "samples": [asdict(s) for s in m.samples],
                    }
                    for m in rows
                ],
                "goals": [
                    {
                        "goal": f"{g.variant} {g.text}",
                        "verdict": judge(g, case.id, measured)[0],
                        "measured": judge(g, case.id, measured)[1],
                    }
                    for g in case.goals
                ],
                "problems": disagreements(rows),
            }
        )
    return out


def markdown(data: dict[str, Any]) -> list[str]:
    """A results file (as `report` wrote it) as Markdown tables, for RESULTS.md."""
    info = data["machine"]
    lines = [
        f"Size {data['size']:,}; {info['cpu']}, {info['cores']} cores; Python {info['python']}; "
        f"commit `{info['commit'][:12]}`; {info['date']}; load average before "
        f"{', '.join(f'{x:.1f}' for x in info['load_average'])}, after "
        f"{', '.join(f'{x:.1f}' for x in info.get('load_average_after') or [])}.",
        "",
    ]
    for case in data["cases"]:
        lines += [
            f"**{case['id']}**: {case['title']}",
            "",
            "| variant | rows | min s | median s | µs/row | x base | x base (median) | peak MB "
            "| CPU s (min run) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        base = next((v for v in case["variants"] if v["variant"] == case["baseline"]), None)
        for v in case["variants"]:
            if not v["samples"]:
                lines.append(f"| {v['variant']} | {v['rows']:,} | {v['skipped'] or v['error']} |")
                continue
            ratio = ratio_med = "-"
            cpu = "-" if v.get("cpu_seconds") is None else f"{v['cpu_seconds']:.3f}"
            if base and base["min_seconds"] and base["median_seconds"]:
                ratio = f"{v['min_seconds'] / base['min_seconds']:.2f}"
                ratio_med = f"{v['median_seconds'] / base['median_seconds']:.2f}"
            lines.append(
                f"| {v['variant']} | {v['rows']:,} | {v['min_seconds']:.3f} | "
                f"{v['median_seconds']:.3f} | {v['min_seconds'] / v['rows'] * 1e6:,.1f} | "
                f"{ratio} | {ratio_med} | {(v['peak_rss_bytes'] or 0) / MB:,.0f} | {cpu} |"
            )
        lines.append("")
        lines += [f"- goal: {g['goal']}: **{g['verdict']}** {g['measured']}" for g in case["goals"]]
        lines += [f"- problem: {p}" for p in case["problems"]]
        lines.append("")
    return lines
