"""The benchmark harness keeps working: a smoke-size run prints its table and writes its JSON.

Times are never asserted; what is checked is that every case ran, every variant that could run
did, and the variants of a case agreed on their figures (totals, counts, values read back).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_smoke_benchmark_prints_the_table_and_writes_json(tmp_path):
    results = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--smoke",
            "--repeats",
            "1",
            "--data",
            str(tmp_path / "data"),
            "--json",
            str(results),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(results.read_text(encoding="utf-8"))
    ids = [case["id"] for case in report["cases"]]
    assert ids == ["B1", "B1-narrow", "B2", "B3", "B4-csv", "B4-json", "B5", "B6"]
    for case in report["cases"]:
        assert case["problems"] == [], case["id"]
        for variant in case["variants"]:
            assert variant["error"] is None, (case["id"], variant["variant"], variant["error"])
            if variant["skipped"] is None:
                assert variant["samples"], (case["id"], variant["variant"])
        # Every case has a sgfund row that ran, and each goal got a verdict.
        assert any(v["samples"] for v in case["variants"] if v["skipped"] is None)
        assert all(g["verdict"] in {"met", "missed", "not measured"} for g in case["goals"])
    # Runs timed inside their process also report the CPU time of the timed work.
    timed = [v for c in report["cases"] if c["id"] != "B5" for v in c["variants"] if v["samples"]]
    assert timed
    assert all(v["cpu_seconds"] is not None and v["cpu_seconds"] >= 0 for v in timed)
    assert report["machine"]["commit"]
    assert report["size"] == 10_000
    # The printed table: a header line and one line per case and variant.
    for case in report["cases"]:
        assert f"{case['id']}: " in done.stdout
        for variant in case["variants"]:
            assert f"  {variant['variant']}" in done.stdout
    # The B4 conversions were read back and every value compared.
    b4 = [c for c in report["cases"] if c["id"].startswith("B4")]
    checked = [s["check"] for c in b4 for v in c["variants"] for s in v["samples"][:1]]
    assert checked
    assert all(c.get("values_equal") is True for c in checked)


def _harness(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import cases, runner

    return cases, runner


def _measured(runner, case, variant, rows, seconds, peak_mb):
    m = runner.Measured(case, variant, variant, rows)
    m.samples.append(runner.Sample(seconds, peak_mb * 1024 * 1024, {}))
    return {f"{case}:{variant}": m}


def _b2_goals(cases):
    b2 = next(c for c in cases.all_cases() if c.id == "B2")
    memory = next(g for g in b2.goals if g.kind == "rss")
    flat = next(g for g in b2.goals if g.kind == "flat")
    return memory, flat


def test_b2_memory_goal_is_judged_only_at_a_million_rows(monkeypatch):
    cases, runner = _harness(monkeypatch)
    memory, _ = _b2_goals(cases)
    small = _measured(runner, "B1", "sgfund", 20_000, 50.0, 169)
    verdict, value = runner.judge(memory, "B2", small)
    assert verdict == "not measured"
    assert value == "169 MB at 20,000 rows"
    full_over = _measured(runner, "B1", "sgfund", 1_000_000, 900.0, 7000)
    assert runner.judge(memory, "B2", full_over) == ("missed", "7,000 MB")
    full_under = _measured(runner, "B1", "sgfund", 1_000_000, 900.0, 800)
    assert runner.judge(memory, "B2", full_under) == ("met", "800 MB")


def test_b2_flat_goal_compares_time_per_application_across_sizes(monkeypatch):
    cases, runner = _harness(monkeypatch)
    _, flat = _b2_goals(cases)
    results = {
        **_measured(runner, "B1", "sgfund", 1_000_000, 1100.0, 7000),
        **_measured(runner, "B2", "sgfund-1/100", 10_000, 10.0, 60),
        **_measured(runner, "B2", "sgfund-1/10", 100_000, 105.0, 600),
    }
    verdict, value = runner.judge(flat, "B2", results)
    assert verdict == "met"
    assert value == (
        "1,000 µs at 10,000, 1,050 µs at 100,000, 1,100 µs at 1,000,000"
        " (largest 1.10x the smallest)"
    )
    results.update(_measured(runner, "B1", "sgfund", 1_000_000, 1300.0, 7000))
    assert runner.judge(flat, "B2", results)[0] == "missed"
    # The goal is about the full size: without B1's row it is not judged.
    only_b2 = {k: v for k, v in results.items() if k.startswith("B2:")}
    assert runner.judge(flat, "B2", only_b2) == ("not measured", "")
