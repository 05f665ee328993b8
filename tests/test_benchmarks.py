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
