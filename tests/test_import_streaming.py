"""Reading is a stream: memory follows what is kept, not the size of the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.examples_scf import GR2
from sgfund.io.importer import read_applications

HEADER = (
    "application_id,round_id,organisation_name,organisation_type,postcode,project_title,"
    "project_summary,amount_requested,project_start,project_end,submitted_at,themes\r\n"
)


# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)


def write_big_csv(path: Path, rows: int, summary_chars: int) -> int:
    summary = "Patrols and advice for residents. " * (summary_chars // 34)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for i in range(rows):
            handle.write(
                f"GR2-{i:07d},mayor-gr2,Group {i},Community group,LS1 1AA,Walk safe {i},"
                f'"{summary}","£{1000 + i % 5000:,}.50",01/11/2022,31/10/2023,'
                f"10/06/2022 11:{i % 60:02d},domestic-abuse; Stalking and Harassment\r\n"
            )
    return path.stat().st_size


def peak_while_reading(path: Path, **options) -> tuple[int, object]:
    tracemalloc.start()
    try:
        result = read_applications(path, pm=PM, rounds=[GR2], **options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def test_validating_a_large_file_keeps_memory_far_below_its_size(tmp_path):
    path = tmp_path / "big.csv"
    size = write_big_csv(path, rows=5_000, summary_chars=4_000)
    peak, result = peak_while_reading(path, validate_only=True)
    assert result.rows == result.good_rows == 5_000
    assert result.applications == ()
    assert size > 20_000_000
    assert peak < size // 20  # the ids seen (for repeats) and one row at a time


def test_memory_follows_what_is_kept_not_the_file(tmp_path):
    # Same rows, summaries 8 times longer: the file grows eightfold, the peak does not.
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small_size = write_big_csv(small, rows=2_000, summary_chars=1_000)
    large_size = write_big_csv(large, rows=2_000, summary_chars=8_000)
    assert large_size > 7 * small_size
    small_peak, _ = peak_while_reading(small, validate_only=True)
    large_peak, _ = peak_while_reading(large, validate_only=True)
    assert large_peak < 2 * small_peak + 200_000


@pytest.mark.slow
def test_a_200k_row_file_is_read_row_by_row(tmp_path, request):
    # About two minutes under tracemalloc: run only when asked for (-m slow), as README says.
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("slow; run with -m slow")
    # What is kept per row is its application id (to find repeats): about 150 bytes.
    path = tmp_path / "huge.csv"
    size = write_big_csv(path, rows=200_000, summary_chars=300)
    peak, result = peak_while_reading(path, validate_only=True)
    assert result.rows == 200_000
    assert peak < 200 * 200_000
    assert peak < size // 3
