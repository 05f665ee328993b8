"""The columnar path (sgfund.io.columnar) gives exactly what the per-object path gives.

Generated sheets mix good rows with bad cells, stray cells, repeated ids, blank rows,
exclusion phrases and non-ASCII text; both paths read each sheet and assess its rounds, and
everything a user sees must be equal: applications, decisions, notes, counts, every problem
with its row and column, the set-aside file, and every assessment (findings, themes, status).
"""

import csv
from pathlib import Path
from tempfile import TemporaryDirectory

import attrs
import pytest
import sgfund_westyorkshire
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgfund import DataError, assess, make_plugin_manager, read_applications
from sgfund.examples_scf import GR2, GR3
from sgfund.io.columnar import application_table, assess_table, read_table
from sgfund.tables import as_pence, pence

# West Yorkshire's whole plugin: its rules have columnar forms too.
PM = make_plugin_manager(entry_points=False, plugins=[sgfund_westyorkshire])
# GR3 without its own maximum: West Yorkshire's schedule rule (and its columnar form) applies.
ROUNDS = (GR2, attrs.evolve(GR3, max_grant=None))
AS_OF = GR2.closes_at.date()

HEADER = (
    "application_id",
    "round_id",
    "organisation_name",
    "organisation_type",
    "charity_number",
    "company_number",
    "postcode",
    "project_title",
    "project_summary",
    "amount_requested",
    "project_start",
    "project_end",
    "submitted_at",
    "delivery_postcode",
    "themes",
    "outcome",
    "amount_awarded",
    "decided_on",
    "decided_by",
    "Officer notes",
)

# (good values, bad or awkward values) for each column, in HEADER order.
CELLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "round_id": (("mayor-gr2", "mayor-gr3"), ("mayor-gr9", "", " mayor-gr2 ")),
    "organisation_name": (("Group A", "Calder Refuge"), ("", "Bad\x01name")),
    "organisation_type": (
        ("Registered charity", "CIC", "Community group", "cio"),
        ("Individual", "Limited company", "", "charity?"),
    ),
    "charity_number": (("1990001", "1990002", ""), ("12x", "-1")),
    "company_number": (("", "99000001", "SC123456"), ("bad!",)),
    "postcode": (
        ("LS1 1AA", "HX1 1AB", "BD1 1AA", "wf1 2ab"),
        ("YO1 7HH", "S1 2AB", "", "not a postcode", "LS99 9ZZ"),
    ),
    "project_title": (
        ("Walk safe", "Safe at home", "Street watch"),
        ("Research into crime", "Café RESEARCH trip", "", "Tab\there", "Overseas trips for ISVA"),
    ),
    "project_summary": (
        ("Support for survivors of domestic abuse", "Patrols and advice", ""),
        (
            "A feasibility study and general appeal",
            "Résumé: food banks and travel",
            "K\u212aRESEARCH",  # the Kelvin sign: Python ignores its case as k
            "Statutory services, replacement funding",
            "Bad\x07bell",
        ),
    ),
    "amount_requested": (
        ("£5,000.00", "5000", "£250", "£6,000.00", "£7,999.99"),
        ("£6,000.01", "£9,000", "£1,23", "1e3", "0", "-5", "", "£10.555", "£ 7,000"),
    ),
    "project_start": (("01/11/2022", "2022-11-01", "1 November 2022"), ("13/31/2022", "")),
    "project_end": (("31/10/2023", "2023-06-30"), ("2023-02-30", "2021-01-01", "31/12/2024")),
    "submitted_at": (
        ("10/06/2022 11:00", "2022-06-01T12:00+01:00", "2022-05-20", "2022-10-20 10:00"),
        ("bad", "", "2022-03-27 01:30", "10/06/2022 13:00"),
    ),
    "delivery_postcode": (("", "LS2 7UE"), ("YO1 7HH", "HD9 9ZZ", "x")),
    "themes": (
        ("", "domestic-abuse", "Domestic abuse; stalking-harassment"),
        ("unknown-theme", "domestic-abuse;;"),
    ),
    "outcome": (("", "", "approved", "rejected"), ("maybe", "Funded")),
    "amount_awarded": (("", "£5,000.00"), ("£0.00", "£9,000.00", "x")),
    "decided_on": (("", "20/07/2022"), ("bad",)),
    "decided_by": (("", "Grants panel"), ("Bad\x02",)),
    "Officer notes": (("", "call back"), ()),
}


@st.composite
def cell(draw: st.DrawFn, name: str) -> str:
    good, bad = CELLS[name]
    if bad and draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(bad))
    return draw(st.sampled_from(good))


@st.composite
def row(draw: st.DrawFn) -> list[str]:
    number = draw(st.integers(1, 12))  # a small range: ids repeat now and then
    cells = [draw(st.sampled_from([f"GR-{number:03d}", f"GR-{number:03d}", "GR 1", ""]))]
    cells += [draw(cell(name)) for name in HEADER[1:]]
    shape = draw(st.integers(0, 30))
    if shape == 0:
        cells.append("stray")  # a value under no header
    elif shape == 1:
        cells = cells[: draw(st.integers(1, len(cells)))]  # a short row
    elif shape == 2:
        cells = [""] * len(cells)  # a blank row
    return cells


sheets = st.lists(row(), min_size=1, max_size=14)


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([list(HEADER), *rows])
    return path


def seen(problem, path: Path) -> tuple:
    """A problem as a user reads it, with the (different) folder of each path's file cut."""
    where = str(path.parent)
    return tuple(str(getattr(problem, name)).replace(where, "") for name in type(problem).__slots__)


def read_both(folder: Path, rows: list[list[str]], bad_rows: str, chunk: int):
    """Each path's outcome: ("refused", problems), or (result, set-aside text, what it gave)."""
    out = []
    for name, read in (
        ("objects", lambda p: read_applications(p, rounds=ROUNDS, pm=PM, bad_rows=bad_rows)),
        (
            "columns",
            lambda p: read_table(p, rounds=ROUNDS, pm=PM, bad_rows=bad_rows, chunk=chunk),
        ),
    ):
        (folder / name).mkdir()
        path = write(folder / name / "sheet.csv", rows)
        try:
            got = read(path)
        except DataError as err:
            out.append(("refused", [seen(p, path) for p in err.problems], str(err)))
            continue
        result = got if name == "objects" else got.result
        errors = result.errors_file.read_text(encoding="utf-8") if result.errors_file else None
        problems = tuple(seen(p, path) for p in result.problems)
        plain = attrs.evolve(result, file="sheet.csv", errors_file=None, problems=problems)
        out.append((plain, errors, got))
    return out


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=sheets, chunk=st.integers(1, 5), bad_rows=st.sampled_from(["refuse", "set-aside"]))
def test_columnar_path_reads_and_assesses_exactly_as_the_object_path(rows, chunk, bad_rows):
    with TemporaryDirectory() as tmp:
        objects, columns = read_both(Path(tmp), rows, bad_rows, chunk)
    if objects[0] == "refused" or columns[0] == "refused":
        assert objects[:2] == columns[:2]  # the same problems, rows and columns
        return
    assert objects[:2] == columns[:2]
    result, read = objects[2], columns[2]
    assert read.table.height == len(result.applications)
    for round_ in ROUNDS:
        apps = [a for a in result.applications if a.round_id == round_.id]
        expected = assess(round_, apps, pm=PM, as_of=AS_OF)
        assert assess_table(round_, read, pm=PM, as_of=AS_OF) == expected


def test_a_differing_path_would_be_noticed(tmp_path):
    # The comparison above is not vacuous: these rows give findings from the columnar rules.
    rows = [
        ["GR-001", "mayor-gr3", "Group A", "Individual", "", "", "YO1 7HH", "Research trip",
         "A feasibility study", "£9,000.00", "01/11/2022", "31/10/2023", "2022-10-20 10:00",
         "", "", "", "", "", "", ""],
        ["GR-002", "mayor-gr2", "Group B", "Registered charity", "", "", "HX1 1AB", "Walk safe",
         "", "£6,000.00", "01/11/2022", "31/10/2023", "10/06/2022 11:00",
         "", "", "", "", "", "", ""],
    ]  # fmt: skip
    path = write(tmp_path / "sheet.csv", rows)
    read = read_table(path, rounds=ROUNDS, pm=PM)
    found = {}
    for round_ in ROUNDS:
        for a in assess_table(round_, read, pm=PM, as_of=AS_OF):
            found[a.application_id] = {f.rule_id for f in a.findings}
    assert {
        "organisation-type",
        "wy-area",
        "wy-max-grant-schedule",
        "wy-exclusion-research",
    } <= found["GR-001"]
    assert "required-fields" in found["GR-002"]
    assert read.result == read_applications(path, rounds=ROUNDS, pm=PM)


def test_the_table_holds_money_as_whole_pence(sample_app):
    table = application_table([sample_app])
    assert table["amount_requested"].to_list() == [as_pence(sample_app.amount_requested)]
    assert pence(table["amount_requested"][0]) == sample_app.amount_requested
    assert str(pence(595000)) == "5950.00"


def test_chunk_must_be_positive(tmp_path):
    path = write(tmp_path / "sheet.csv", [])
    with pytest.raises(ValueError, match="chunk"):
        read_table(path, rounds=ROUNDS, pm=PM, chunk=0)
