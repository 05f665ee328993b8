"""Every malformed file in tests/data/bad is refused with each problem located, writing nothing."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import DataError
from sgfund.examples_scf import GR1, GR2
from sgfund.io import csv_reader
from sgfund.io.columns import column_letter
from sgfund.io.importer import ImportResult, read_applications, read_decisions
from sgfund.io.rows import MAX_STRAY_CELLS

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"

AMOUNT = "expected an amount in pounds such as 1234.50, £1,234.50 or 1,234"
SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8'"


class Case(NamedTuple):
    expected: list[tuple[int | None, str | None, str]]  # (row, column, message fragment)
    read: Callable[[Path], ImportResult] | None = None
    row_level: bool = True  # False: the file itself is refused, even with bad_rows="set-aside"
    located: str | None = None  # the file the problems are in, if not the bad file itself


# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)


def applications(path: Path, **options: object) -> ImportResult:
    return read_applications(path, pm=PM, rounds=[GR1, GR2], **options)  # type: ignore[arg-type]


def decisions(path: Path, **options: object) -> ImportResult:
    return read_decisions(path, applications={"GR2-001", "GR2-002"}, **options)  # type: ignore[arg-type]


def with_bad_mapping(path: Path, **options: object) -> ImportResult:
    return applications(path.with_name("gr2-messy.csv"), mapping=path, **options)


def officer_sheet_with(path: Path, **options: object) -> ImportResult:
    return applications(path.with_name("gr2-officer-layout.csv"), mapping=path, **options)


def _stray_cells() -> list[tuple[int | None, str | None, str]]:
    first = 13  # the header has 13 columns; the stray cells start in column N
    listed = [
        (2, f"column {column_letter(i)}", f"a value in column {column_letter(i)}, which has no")
        for i in range(first, first + MAX_STRAY_CELLS)
    ]
    return [
        *listed,
        (2, None, "50 value(s) in columns without a header (not listed one by one: at most 100"),
        (3, None, "5 value(s) in columns without a header"),
    ]


ARABIC_ONE = "'\u0661' (U+0661 ARABIC-INDIC DIGIT ONE) is not one"
MAPPING_CONSTANT = "the mapping's constant for "


CASES: dict[str, Case] = {
    # The bytes are not text sgfund can read without guessing.
    "mixed-utf8-and-cp1252.csv": Case(
        [
            (
                None,
                None,
                "the file mixes encodings: it is UTF-8 at line 2, but byte 0x92 at "
                "line 3 (byte offset 391) is not UTF-8; " + SAVE_AS,
            )
        ],
        row_level=False,
    ),
    "undefined-cp1252-byte.csv": Case(
        [
            (
                None,
                None,
                "the file is not UTF-8 or Windows-1252: byte 0x81 at line 3 "
                "(byte offset 446) is not valid in either",
            )
        ],
        row_level=False,
    ),
    "utf16-without-bom.csv": Case(
        [
            (
                None,
                None,
                "byte 0x00 at line 1 (byte offset 1): the file looks like UTF-16 "
                "without a byte order mark",
            )
        ],
        row_level=False,
    ),
    "bom-then-cp1252.csv": Case(
        [
            (
                None,
                None,
                "it starts with a UTF-8 byte order mark, but byte 0xA3 at line 2 "
                "(byte offset 281) is not UTF-8",
            )
        ],
        row_level=False,
    ),
    "workbook-named-csv.csv": Case(
        [(None, None, "the file is a zip archive (an XLSX workbook?), not CSV text")],
        row_level=False,
    ),
    "empty.csv": Case(
        [(None, None, "the file has no header row: it is empty or blank")], row_level=False
    ),
    "old-excel.xls": Case(
        [(None, None, "an Excel 97-2003 workbook; sgfund reads .csv")], row_level=False
    ),
    # The layout.
    "missing-required-column.csv": Case(
        [
            (
                1,
                None,
                "required column 'amount_requested' is missing (accepted headers: "
                "'amount_requested', 'Amount', 'Requested', 'Amount requested'",
            )
        ],
        row_level=False,
    ),
    "two-columns-for-amount.csv": Case(
        [
            (
                1,
                "amount_requested",
                "'amount_requested' (column I) and 'Amount' (column N) both "
                "mean amount_requested; remove or rename all but one",
            )
        ],
        row_level=False,
    ),
    "decision-columns-incomplete.csv": Case(
        [
            (
                1,
                None,
                "required column 'decided_on' is missing (the file has 'outcome', so "
                "it records decisions)",
            ),
            (1, None, "required column 'decided_by' is missing (the file has 'outcome'"),
        ],
        row_level=False,
    ),
    "ambiguous-delimiter.csv": Case(
        [(None, None, "cannot tell the delimiter from the header line")], row_level=False
    ),
    "unclosed-quote.csv": Case(
        [(3, None, "a quoted cell is never closed: the file ends inside quotes")],
        row_level=False,
    ),
    "value-without-header.csv": Case([(2, "column N", "a value in column N, which has no header")]),
    "mapping-unknown-name.json": Case(
        [(4, None, "'grant_amount' in columns is not a canonical column name")],
        read=with_bad_mapping,
        row_level=False,
    ),
    "truncated.xlsx": Case(
        [(None, None, "the workbook is damaged or cut short and cannot be read")],
        row_level=False,
    ),
    # Values in cells.
    "duplicate-application-id.csv": Case(
        [
            (2, "application_id", "application id 'GR2-001' is repeated at row 4"),
            (4, "application_id", "application id 'GR2-001' is already at row 2"),
        ]
    ),
    "continental-amount.csv": Case(
        [
            (
                3,
                "amount_requested",
                AMOUNT + " (commas only between "
                "thousands, at most two decimal places), got '1.234,50'",
            )
        ]
    ),
    "semicolon-bad-amount.csv": Case([(3, "amount_requested", "got '£2.400,00'")]),
    "fraction-of-a-penny.csv": Case([(2, "amount_requested", AMOUNT)]),
    "formula-text-in-amount.csv": Case([(2, "amount_requested", "got '=SUM(I2:I9)'")]),
    "negative-amount.csv": Case(
        [(3, "amount_requested", "expected an amount of more than £0.00, got '-£250.00'")]
    ),
    "blank-lines-then-bad-row.csv": Case(
        [(6, "amount_requested", "expected an amount of more than £0.00, got '0'")]
    ),
    "us-date.csv": Case(
        [
            (
                2,
                "project_start",
                "expected day first (DD/MM/YYYY); this looks like a US "
                "month-first date, got '12/13/2022'",
            )
        ]
    ),
    "two-digit-year.csv": Case(
        [(2, "project_end", "expected a four-digit year, such as 10/06/2022, got '31/10/23'")]
    ),
    "mixed-line-endings.csv": Case(
        [
            (
                4,
                "project_end",
                "expected a date such as 2022-06-10, 10/06/2022 or 10 June 2022 "
                "(day first), got '31/02/2023'",
            )
        ]
    ),
    "end-before-start.csv": Case(
        [
            (
                2,
                "project_end",
                "expected a date on or after project_start 2022-11-01, got '01/10/2022'",
            )
        ]
    ),
    "unknown-theme.csv": Case(
        [
            (
                2,
                "themes",
                "expected a theme of round mayor-gr2: one of "
                "child-sexual-abuse-exploitation, domestic-abuse, fraud-cyber-crime, "
                "honour-based-abuse, human-trafficking-modern-slavery, rape-sexual-offences, "
                "stalking-harassment, got 'knife crime'",
            )
        ]
    ),
    "themes-split-by-comma.csv": Case([(2, "themes", "separate themes with ';', not ','")]),
    "unknown-round.csv": Case(
        [
            (
                3,
                "round_id",
                "expected the id of a known round: one of mayor-gr1, mayor-gr2, got 'mayor-gr9'",
            )
        ]
    ),
    "unknown-organisation-type.csv": Case(
        [
            (
                2,
                "organisation_type",
                "expected an organisation type: one of charitable-company, cic, cio,",
            )
        ]
    ),
    "bad-charity-number-and-postcode.csv": Case(
        [
            (2, "charity_number", "expected a charity number: 6-7 digits (England and Wales)"),
            (2, "postcode", "expected a UK postcode such as SW1A 1AA, got 'LS1'"),
        ]
    ),
    "missing-values.csv": Case(
        [
            (3, "project_title", "a value is required in project_title"),
            (3, "amount_requested", "a value is required in amount_requested"),
        ]
    ),
    "approved-without-award.csv": Case(
        [(2, "amount_awarded", "amount_awarded is blank: expected more than £0.00 when approved")]
    ),
    "direct-award-without-justification.csv": Case(
        [(2, None, "justification is blank: expected a justification for a direct award")]
    ),
    "huge-cell.csv": Case(
        [
            (
                2,
                "project_summary",
                "the cell holds 1,048,576 characters; a cell can hold at most 32,767 (as in Excel)",
            )
        ]
    ),
    "decisions-unknown-application.csv": Case(
        [(3, "Application ID", "application 'GR2-099' is not in the ledger")], read=decisions
    ),
    # Characters: only ASCII digits in numbers, no control characters in text.
    "non-ascii-digits.csv": Case(
        [
            (2, "charity_number", "expected a charity number in ASCII digits 0-9 (" + ARABIC_ONE),
            (2, "postcode", "expected a postcode in ASCII digits 0-9 (" + ARABIC_ONE),
            (
                2,
                "amount_requested",
                "expected an amount in ASCII digits 0-9 ('\uff11' (U+FF11 FULLWIDTH DIGIT ONE) "
                "is not one), got '£\uff11\uff12\uff13\uff14'",
            ),
            (2, "project_start", "expected a date in ASCII digits 0-9 ('\u0660' (U+0660 ARABIC"),
        ]
    ),
    "control-characters.csv": Case(
        [
            (
                2,
                "organisation_name",
                "expected text without control characters, but it holds U+0007 (a control "
                "character) (tab and line breaks are allowed), got 'Calder\\x07Valley'",
            ),
            (2, "project_title", "but it holds U+001B (a control character)"),
        ]
    ),
    "spreadsheet-error-literals.csv": Case(
        [
            (2, "organisation_name", "the cell holds the spreadsheet error #REF!; type the value"),
            (2, "project_title", "the cell holds the spreadsheet error #N/A; type the value"),
            (2, "amount_requested", "the cell holds the spreadsheet error #VALUE!; type the"),
        ]
    ),
    "amount-beyond-the-maximum.csv": Case(
        [
            (2, "amount_requested", "expected an amount of at most £999,999,999,999.99 either"),
            (3, "amount_requested", "got '10000000000000000000000000000'"),
        ]
    ),
    # Every problem of a row at once: rules joining fields run beside a bad cell.
    "every-problem-of-a-row.csv": Case(
        [
            (2, "postcode", "expected a UK postcode such as SW1A 1AA, got 'LS1'"),
            (2, "project_end", "expected a date on or after project_start 2022-11-01"),
            (2, "amount_awarded", "is above the round's maximum grant £6,000.00 and needs a"),
            (2, "amount_awarded", "award £7,000.00 is above the £5,950.00 requested and needs"),
        ]
    ),
    "stray-cells-over-the-cap.csv": Case(_stray_cells()),
    # Mapping files.
    "mapping-two-fields-one-header.toml": Case(
        [(3, None, "project_summary and project_title are both mapped to the header 'summa")],
        read=with_bad_mapping,
        row_level=False,
    ),
    "mapping-names-a-missing-column.toml": Case(
        [
            (1, None, "the mapping puts amount_requested in a column headed 'Grant sought', but"),
            (1, None, "the mapping's notes names a column headed 'Officer comments', but the"),
        ],
        read=with_bad_mapping,
        row_level=False,
        located="gr2-messy.csv",
    ),
    "mapping-constant-and-column.toml": Case(
        [(1, "Round", "'Round' (column B) is round_id, and the mapping also gives round_id a")],
        read=with_bad_mapping,
        row_level=False,
        located="gr2-messy.csv",
    ),
    "mapping-too-deep.json": Case(
        [(None, None, "the mapping file cannot be read: it nests tables or lists more than 4")],
        read=with_bad_mapping,
        row_level=False,
    ),
    "mapping-unknown-key.toml": Case(
        [
            (1, None, "'sheet' is not part of a mapping"),
            (3, None, "'colums' is not part of a mapping"),
        ],
        read=with_bad_mapping,
        row_level=False,
    ),
    "mapping-bad-constant.toml": Case(
        [
            (
                2,
                None,
                MAPPING_CONSTANT + "round_id cannot be used: expected the id of a known round: "
                "one of mayor-gr1, mayor-gr2, got 'mayor-gr9'",
            ),
            (3, None, MAPPING_CONSTANT + "decided_on cannot be used: expected a date such"),
            (
                5,
                None,
                MAPPING_CONSTANT + "currency cannot be used: expected GBP: sgfund keeps money in "
                "pounds sterling, got 'EUR'",
            ),
        ],
        read=officer_sheet_with,
        row_level=False,
    ),
    "mapping-bad-value.toml": Case(
        [
            (2, None, "values.outcome: 'Funded' maps to 'maybe', which is not a decision"),
            (5, None, "values.organisation_type: 'Police' maps to 'constabulary', which is"),
        ],
        read=with_bad_mapping,
        row_level=False,
    ),
    "mapping-not-utf8.json": Case(
        [(1, None, "the mapping file cannot be read: it is not UTF-8 (byte 0xE9)")],
        read=with_bad_mapping,
        row_level=False,
    ),
    # Workbooks.
    "bad-shared-string-index.xlsx": Case(
        [(2, None, "the workbook is damaged or cut short after row 1 and cannot be read (Index")],
        row_level=False,
    ),
    "non-numeric-number-cell.xlsx": Case(
        [(2, None, "the workbook is damaged or cut short after row 1 and cannot be read (Value")],
        row_level=False,
    ),
    "formula-cells.xlsx": Case(
        [
            (2, "amount_requested", "the cell holds a formula (=5000+950); paste values instead"),
            (2, "project_end", "the cell holds a formula (=DATE(2023,10,31)); paste values"),
        ]
    ),
    "error-value-cell.xlsx": Case(
        [(2, "project_start", "the cell holds the spreadsheet error #REF!; type the value")]
    ),
    "float-pennies.xlsx": Case(
        [
            (
                2,
                "amount_requested",
                AMOUNT + " (commas only between "
                "thousands, at most two decimal places), got '5950.505'",
            )
        ]
    ),
}


def _copy(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / name
    shutil.copyfile(BAD / name, target)
    if name.endswith((".json", ".toml")):
        for sheet in ("gr2-messy.csv", "gr2-officer-layout.csv"):
            shutil.copyfile(GOOD / sheet, folder / sheet)
    return target


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_the_corpus_has_at_least_30_files_and_each_has_a_case():
    names = {p.name for p in BAD.iterdir()}
    assert len(names) >= 30
    assert names == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_with_every_problem_located_and_nothing_written(name, tmp_path):
    case = CASES[name]
    path = _copy(name, tmp_path)
    before = _listing(path.parent)
    with pytest.raises(DataError) as caught:
        (case.read or applications)(path)
    problems = caught.value.problems
    found = [(p.row, p.column) for p in problems]
    assert found == [(row, column) for row, column, _ in case.expected], problems
    located = str(path.with_name(case.located) if case.located else path)
    for problem, (_, _, fragment) in zip(problems, case.expected, strict=True):
        assert fragment in problem.message
        assert problem.file == located
        assert located in str(caught.value) or problem.row is None
    assert caught.value.file == located
    assert _listing(path.parent) == before  # no error CSV, no partial output, input untouched


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.row_level))
def test_set_aside_writes_exactly_the_bad_rows_beside_the_input(name, tmp_path):
    case = CASES[name]
    path = _copy(name, tmp_path)
    result = (case.read or applications)(path, bad_rows="set-aside")  # type: ignore[call-arg]
    bad_rows = sorted({row for row, _, _ in case.expected if row is not None})
    assert result.bad_rows == len(bad_rows)
    assert result.good_rows == result.rows - len(bad_rows)
    assert len(result.applications or result.decisions) == result.good_rows
    assert [p.row for p in result.problems] == [row for row, _, _ in case.expected]
    assert result.errors_file == path.with_name(path.stem + ".errors.csv")
    with result.errors_file.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0][0] == "source_row"
    assert written[0][-1] == "problems"
    assert [int(r[0]) for r in written[1:]] == bad_rows
    messages = "\n".join(r[-1] for r in written[1:])
    for _, _, fragment in case.expected:
        assert fragment in messages


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if not c.row_level))
def test_set_aside_still_refuses_a_file_it_cannot_read(name, tmp_path):
    case = CASES[name]
    path = _copy(name, tmp_path)
    before = _listing(path.parent)
    with pytest.raises(DataError):
        (case.read or applications)(path, bad_rows="set-aside")  # type: ignore[call-arg]
    assert _listing(path.parent) == before


def test_a_cell_beyond_the_read_limit_stops_the_read_at_its_row(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "READ_LIMIT", 100_000)
    limit_before = csv.field_size_limit()
    path = _copy("huge-cell.csv", tmp_path)
    with pytest.raises(DataError) as caught:
        applications(path)
    [problem] = caught.value.problems
    assert problem.row == 2
    assert "this row is longer than 100,000 characters" in problem.message
    assert csv.field_size_limit() == limit_before  # the process-wide limit is put back


def test_the_generator_reproduces_the_committed_csv_files(tmp_path):
    # The corpus is made by a script; the committed text files must be what it makes.
    copy = tmp_path / "data"
    copy.mkdir()
    shutil.copyfile(DATA / "make_bad_files.py", copy / "make_bad_files.py")
    subprocess.run([sys.executable, str(copy / "make_bad_files.py")], check=True)
    for folder in ("bad", "good"):
        for made in (copy / folder).iterdir():
            if made.suffix in {".xlsx", ".xls"} or made.name == "workbook-named-csv.csv":
                continue  # workbooks carry a save time
            assert made.read_bytes() == (DATA / folder / made.name).read_bytes(), made.name


def test_the_real_world_generator_reproduces_the_committed_text_files(tmp_path):
    copy = tmp_path / "data"
    copy.mkdir()
    for script in ("make_bad_files.py", "make_real_world_files.py"):
        shutil.copyfile(DATA / script, copy / script)
    subprocess.run([sys.executable, str(copy / "make_real_world_files.py")], check=True)
    for folder, at_least in (("bad", 10), ("good", 2)):
        made = [p for p in (copy / folder).iterdir() if p.suffix != ".xlsx"]
        assert len(made) >= at_least
        for path in made:
            assert path.read_bytes() == (DATA / folder / path.name).read_bytes(), path.name


def test_a_file_that_is_not_text_gives_the_save_as_advice_once(tmp_path):
    path = _copy("utf16-without-bom.csv", tmp_path)
    with pytest.raises(DataError) as caught:
        applications(path)
    (shown,) = (str(p) for p in caught.value.problems)
    assert shown.count("save it from the spreadsheet as 'CSV UTF-8'") == 1, shown
