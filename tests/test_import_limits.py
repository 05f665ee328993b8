"""Hostile files: caps on problems kept, and memory bounded for an enormous line or cell."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import DataError
from sgfund.examples_scf import GR2
from sgfund.io import csv_reader, tally
from sgfund.io.importer import MAX_PROBLEMS, read_applications
from sgfund.io.rows import MAX_STRAY_CELLS

# The built-in plugins and the vocabulary and districts the example rounds need; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)

HEADER = (
    "application_id,round_id,organisation_name,organisation_type,postcode,project_title,"
    "project_summary,amount_requested,project_start,project_end,submitted_at\r\n"
)
GOOD_ROW = (
    "GR2-{n:05d},mayor-gr2,Group {n},Community group,LS1 1AA,Walk safe,Patrols,{amount},"
    "01/11/2022,31/10/2023,10/06/2022 11:00\r\n"
)
MiB = 1024 * 1024


def _file(path: Path, rows: int, amount: str = "£1,000") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for n in range(rows):
            handle.write(GOOD_ROW.format(n=n, amount=amount))
    return path


def _peak(read) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    caught = None
    try:
        read()
    except DataError as err:
        caught = err
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, caught


def test_problems_beyond_the_cap_are_counted_not_kept(tmp_path):
    path = _file(tmp_path / "bad.csv", rows=MAX_PROBLEMS + 200, amount="lots")
    with pytest.raises(DataError) as caught:
        read_applications(path, pm=PM, rounds=[GR2])
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].row == 2
    assert "200 more problem(s) in this file are not listed (at most 1,000 are kept)" in (
        problems[-1].message
    )
    assert str(caught.value).startswith(f"{path}: 1200 problem(s) in 1200 row(s)")


def test_set_aside_counts_the_unlisted_problems(tmp_path):
    path = _file(tmp_path / "bad.csv", rows=MAX_PROBLEMS + 5, amount="lots")
    result = read_applications(path, pm=PM, rounds=[GR2], bad_rows="set-aside")
    assert len(result.problems) == MAX_PROBLEMS
    assert result.unlisted_problems == 5
    assert result.bad_rows == MAX_PROBLEMS + 5  # every bad row is still set aside


def test_too_many_bad_characters_to_set_aside_refuses_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tally, "MAX_SET_ASIDE_CHARS", 2_000)
    path = _file(tmp_path / "bad.csv", rows=50, amount="lots")
    with pytest.raises(DataError, match="too many to set aside"):
        read_applications(path, pm=PM, rounds=[GR2], bad_rows="set-aside")
    assert not path.with_name("bad.errors.csv").exists()


def test_a_row_of_many_stray_cells_gives_a_bounded_number_of_problems(tmp_path):
    path = tmp_path / "stray.csv"
    extra = ",x" * 200_000  # 200,000 values past the last header
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        handle.write(GOOD_ROW.format(n=1, amount="5").rstrip("\r\n") + extra + "\r\n")
    with pytest.raises(DataError) as caught:
        read_applications(path, pm=PM, rounds=[GR2])
    problems = caught.value.problems
    assert len(problems) == MAX_STRAY_CELLS + 1
    assert problems[-1].message.startswith("199,900 value(s) in columns without a header")


def _one_long_line(path: Path, size: int, *, quoted: bool) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        handle.write("GR2-1,mayor-gr2,")
        chunk = ("x" * MiB) if quoted else ("a," * (MiB // 2))
        if quoted:
            handle.write('"')
        for _ in range(size // MiB):
            handle.write(chunk)
        handle.write('"\r\n' if quoted else "\r\n")
    return path


@pytest.mark.parametrize("quoted", [True, False], ids=["one huge cell", "a line of short cells"])
def test_an_enormous_line_is_refused_with_memory_bounded(tmp_path, quoted):
    path = _one_long_line(tmp_path / "huge.csv", 24 * MiB, quoted=quoted)
    peak, caught = _peak(lambda: read_applications(path, pm=PM, rounds=[GR2]))
    assert caught is not None
    [problem] = caught.problems
    assert problem.row == 2
    assert f"this row is longer than {csv_reader.READ_LIMIT:,} characters" in problem.message
    # The read stops at the limit: peak memory follows the limit, not the 24 MiB line.
    assert peak < 6 * csv_reader.READ_LIMIT, peak


_MEASURE = """
import resource, sys
from sgfund.errors import DataError
from sgfund_westyorkshire import DATA_PLUGINS
from sgfund import make_plugin_manager
from sgfund.io.importer import read_applications
from sgfund.examples_scf import GR2
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
try:
    read_applications(sys.argv[1], pm=PM, rounds=[GR2])
except DataError as err:
    print(len(err.problems))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _resident_kib(path: Path) -> tuple[int, int]:
    """Problems found and peak resident memory (KiB, Linux) of a fresh process reading ``path``."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], check=True, capture_output=True, text=True
    )
    lines = done.stdout.split()
    return (int(lines[0]) if len(lines) > 1 else 0), int(lines[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB is Linux's")
def test_the_worst_row_within_the_limit_stays_within_bounds(tmp_path):
    # Just under the limit, all two-character cells: the most Python objects one row can make.
    path = tmp_path / "wide.csv"
    cells = (csv_reader.READ_LIMIT - 200) // 3
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        handle.write("GR2-1" + ",yz" * cells + "\r\n")
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    problems, peak = _resident_kib(path)
    _, baseline = _resident_kib(empty)
    assert 0 < problems <= MAX_STRAY_CELLS + 20
    assert peak - baseline < 100 * 1024, (peak, baseline)  # under 100 MiB more than no rows


@pytest.mark.slow
@pytest.mark.parametrize("quoted", [True, False], ids=["one huge cell", "a line of short cells"])
def test_a_200_mib_line_is_refused_quickly_with_memory_bounded(tmp_path, quoted):
    path = _one_long_line(tmp_path / "huge.csv", 200 * MiB, quoted=quoted)
    peak, caught = _peak(lambda: read_applications(path, pm=PM, rounds=[GR2]))
    assert caught is not None
    assert caught.problems[0].row == 2
    assert peak < 6 * csv_reader.READ_LIMIT, peak


def _workbook(path: Path, rows: list[str]) -> Path:
    """A minimal workbook whose one sheet holds ``rows`` (XML text of each row), streamed."""
    ns = "http://schemas.openxmlformats.org"
    rel = f"{ns}/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{ns}/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{sheet_type}.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>'.encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


def _inline_row(number: int, *texts: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{t}</t></is></c>'
        for i, t in enumerate(texts)
    )
    return f'<row r="{number}">{cells}</row>'


@pytest.mark.parametrize("runs", [1, 48], ids=["one text", "many runs of one cell"])
def test_a_workbook_cell_that_unpacks_to_tens_of_megabytes_is_refused_with_memory_bounded(
    tmp_path, runs
):
    pytest.importorskip("openpyxl")
    from sgfund.io import xlsx_reader

    header = _inline_row(1, *HEADER.strip().split(","))
    size = 40 * MiB // runs
    text = f"<r><t>{'a' * size}</t></r>" * runs
    bomb = f'<row r="2"><c r="A2" t="inlineStr"><is>{text}</is></c></row>'
    path = _workbook(tmp_path / "bomb.xlsx", [header, bomb])
    assert path.stat().st_size < MiB
    peak, caught = _peak(lambda: read_applications(path, pm=PM, rounds=[GR2]))
    assert caught is not None
    [problem] = caught.problems
    assert problem.value == "xl/worksheets/sheet1.xml"
    assert f"more than {xlsx_reader.MAX_ROW_BYTES:,} bytes" in problem.message
    assert peak < 8 * MiB, peak  # refused before the 40 MiB cell is unpacked whole


def test_a_large_sheet_of_ordinary_rows_passes_the_row_check(tmp_path):
    pytest.importorskip("openpyxl")
    from sgfund.io import xlsx_reader

    rows = [_inline_row(n, f"GR2-{n:06d}", "x" * 200) for n in range(1, 160_000)]
    path = _workbook(tmp_path / "big.xlsx", rows)
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert size > xlsx_reader.MAX_ROW_BYTES  # the part is scanned, not waved through
    with xlsx_reader.XlsxSheet(path) as sheet:
        assert sheet.sheet_name == "Sheet1"
