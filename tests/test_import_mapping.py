"""Mapping files: an officer's own layout imports without editing the sheet."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import Outcome, assess, make_plugin_manager
from sgfund.errors import DataError
from sgfund.examples_scf import GR1, GR2, SCF
from sgfund.io.importer import import_applications, read_applications
from sgfund.io.mapping import load_mapping
from sgfund.ledger import Ledger
from sgfund.organisations import OrgType

# The built-in plugins and the vocabulary and districts the example rounds need; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)

GOOD = Path(__file__).parent / "data" / "good"
SHEET = GOOD / "gr2-officer-layout.csv"
TIME_NOT_RECORDED = "time of receipt not recorded"


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_the_officers_17_column_sheet_imports_as_it_stands(suffix):
    result = read_applications(SHEET, pm=PM, rounds=[GR1, GR2], mapping=SHEET.with_suffix(suffix))
    assert len(result.applications) == 9
    assert len(result.decisions) == 8  # GR2-108 has no decision yet
    by_id = {a.id: a for a in result.applications}
    assert {a.round_id for a in result.applications} == {"mayor-gr2"}  # a constant
    assert by_id["GR2-101"].organisation.type is OrgType.PARISH_OR_TOWN_COUNCIL  # own label
    assert by_id["GR2-103"].organisation.type is OrgType.STATUTORY_BODY  # "Police"
    assert by_id["GR2-109"].organisation.type is OrgType.STATUTORY_BODY  # sgfund's own label
    assert by_id["GR2-105"].organisation.district == "Leeds"  # "Leeds City"
    assert by_id["GR2-102"].declared_themes == {"domestic-abuse"}  # "DA"
    assert by_id["GR2-102"].submitted_at == date(2022, 6, 10)  # the day, no time made up
    assert not by_id["GR2-102"].submitted_time_known
    decisions = {d.application_id: d for d in result.decisions}
    assert decisions["GR2-104"].outcome is Outcome.REJECTED  # "Not this time"
    assert {d.decided_on for d in result.decisions} == {date(2022, 10, 6)}
    assert {d.decided_by for d in result.decisions} == {"Mayor's Safer Communities Fund panel"}
    assert result.notes["GR2-101"] == {"Notes": "site visit 12/7"}
    assert "GR2-105" not in result.notes  # a blank note is no note
    assert result.ignored_columns == ()  # every one of the 17 columns is accounted for
    assert len(result.columns) == 16


def test_the_officers_sheet_goes_into_the_ledger_and_closing_day_receipts_are_referred(tmp_path):
    at = datetime(2022, 6, 13, 9, tzinfo=UTC)
    with Ledger.open(tmp_path / "l.db", clock=lambda: at) as ledger:
        ledger.add_fund(SCF, actor="admin")
        ledger.add_round(GR2, actor="admin")
        ledger.set_round_state(GR2.id, "open", actor="admin")
        result = import_applications(
            ledger, SHEET, actor="officer", mapping=SHEET.with_suffix(".toml"), pm=PM
        )
        stored = ledger.round_records(GR2.id).applications
    assert {a.id: a.submitted_at for a in stored} == {
        a.id: a.submitted_at for a in result.applications
    }  # the ledger keeps the day alone too
    assessed = assess(GR2, stored, pm=PM, as_of=date(2022, 6, 13))
    window = {
        a.application_id: [f.reason for f in a.referred if f.rule_id == "submitted-in-window"]
        for a in assessed.assessments
    }
    referred = {k for k, v in window.items() if v}
    # Closing day (10 June, closed at 12:00), opening day (9 May, opened at 09:00), late.
    assert referred == {"GR2-102", "GR2-103", "GR2-104", "GR2-105"}
    assert TIME_NOT_RECORDED in window["GR2-102"][0]
    assert "the day the round closed at 12:00" in window["GR2-102"][0]
    assert "the day the round opened at 09:00" in window["GR2-105"][0]
    assert "after the round closed" in window["GR2-104"][0]


def _sheet(tmp_path: Path, header: list[str], *rows: list[str]) -> Path:
    path = tmp_path / "sheet.csv"
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


HEADER = [
    "Ref",
    "Organisation",
    "Org Type",
    "Postcode",
    "Title",
    "Amount",
    "Start",
    "End",
    "Received",
]
ROW = [
    "A-1",
    "Group",
    "Community group",
    "LS1 1AA",
    "Walk safe",
    "1000",
    "01/11/2022",
    "31/10/2023",
    "01/06/2022",
]


def _mapping(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_constant_fills_a_column_the_sheet_lacks(tmp_path):
    path = _sheet(tmp_path, HEADER, ROW)
    mapping = _mapping(tmp_path, {"constants": {"round_id": "mayor-gr2"}})
    [app] = read_applications(path, pm=PM, rounds=[GR2], mapping=mapping).applications
    assert app.round_id == "mayor-gr2"


def test_without_the_constant_the_missing_round_says_a_constant_would_do(tmp_path):
    path = _sheet(tmp_path, HEADER, ROW)
    with pytest.raises(DataError, match="or give it a constant"):
        read_applications(path, pm=PM, rounds=[GR2])


def test_an_outcome_constant_makes_every_row_a_decision(tmp_path):
    path = _sheet(tmp_path, [*HEADER, "Awarded"], [*ROW, "900"])
    constants = {
        "round_id": "mayor-gr2",
        "outcome": "approved",
        "decided_on": "2022-10-06",
        "decided_by": "Panel",
    }
    result = read_applications(
        path, pm=PM, rounds=[GR2], mapping=_mapping(tmp_path, {"constants": constants})
    )
    [decision] = result.decisions
    assert decision.amount_awarded == 900
    assert decision.decided_on == date(2022, 10, 6)


def test_labels_are_matched_without_regard_to_case_spaces_or_punctuation(tmp_path):
    path = _sheet(tmp_path, HEADER, [*ROW[:2], "  parish / TOWN council ", *ROW[3:]])
    mapping = {
        "constants": {"round_id": "mayor-gr2"},
        "values": {"organisation_type": {"Parish/Town Council": "Parish or town council"}},
    }
    [app] = read_applications(
        path, pm=PM, rounds=[GR2], mapping=_mapping(tmp_path, mapping)
    ).applications
    assert app.organisation.type is OrgType.PARISH_OR_TOWN_COUNCIL


def test_an_unmapped_label_still_reads_as_usual_and_an_unknown_one_is_a_problem(tmp_path):
    path = _sheet(tmp_path, HEADER, ROW, ["A-2", *ROW[1:2], "Sole trader", *ROW[3:]])
    mapping = {
        "constants": {"round_id": "mayor-gr2"},
        "values": {"organisation_type": {"Police": "statutory-body"}},
    }
    with pytest.raises(DataError) as caught:
        read_applications(path, pm=PM, rounds=[GR2], mapping=_mapping(tmp_path, mapping))
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "Org Type", "Sole trader")


def test_ignore_keeps_an_alias_from_taking_a_column(tmp_path):
    # "Type" would be read as the organisation type; here it is something else.
    path = _sheet(tmp_path, [*HEADER[:2], "Type", *HEADER[3:], "Legal form"], [*ROW, "CIC"])
    path.write_text(path.read_text().replace("Community group", "Revenue"), encoding="utf-8")
    mapping = {
        "columns": {"organisation_type": "Legal form"},
        "constants": {"round_id": "mayor-gr2"},
        "ignore": ["Type"],
    }
    result = read_applications(path, pm=PM, rounds=[GR2], mapping=_mapping(tmp_path, mapping))
    assert result.applications[0].organisation.type is OrgType.CIC
    assert result.ignored_columns == ("Type",)


def test_a_justification_column_carries_an_award_above_the_maximum(tmp_path):
    header = [*HEADER, "Decision", "Awarded", "Justification"]
    over = [*ROW[:5], "6500", *ROW[6:], "Funded", "6500", "Only provider; panel agreed"]
    constants = {"round_id": "mayor-gr2", "decided_on": "06/10/2022", "decided_by": "Panel"}
    path = _sheet(tmp_path, header, over)
    result = read_applications(
        path, pm=PM, rounds=[GR2], mapping=_mapping(tmp_path, {"constants": constants})
    )
    [decision] = result.decisions
    assert decision.justification == "Only provider; panel agreed"
    without = _sheet(tmp_path, header, [*over[:-1], ""])
    with pytest.raises(DataError, match=r"maximum grant £6,000\.00 and needs a recorded"):
        read_applications(
            without, pm=PM, rounds=[GR2], mapping=_mapping(tmp_path, {"constants": constants})
        )


def test_a_currency_column_must_say_pounds(tmp_path):
    path = _sheet(tmp_path, [*HEADER, "Currency"], [*ROW, "GBP"], ["A-2", *ROW[1:], "EUR"])
    mapping = _mapping(tmp_path, {"constants": {"round_id": "mayor-gr2"}})
    with pytest.raises(DataError) as caught:
        read_applications(path, pm=PM, rounds=[GR2], mapping=mapping)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, "Currency")
    assert "GBP: sgfund keeps money in pounds sterling" in problem.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": {"project_title": "Title", "project_summary": "TITLE"}}, "both mapped"),
        ({"columns": {"project_title": "Title"}, "constants": {"project_title": "x"}}, "both a"),
        ({"constants": {"application_id": "A-1"}}, "'application_id' in constants is not"),
        ({"constants": {"amount_requested": 12.5}}, "not a value a cell could hold"),
        ({"values": {"postcode": {"x": "y"}}}, "'postcode' in values is not allowed in values"),
        ({"values": {"outcome": {"Yes": "approved", "YES!": "rejected"}}}, "the same label"),
        ({"notes": "Notes"}, "'notes' must be a list of headers"),
        ({"notes": ["Notes"], "ignore": ["notes"]}, "is in ignore and in notes"),
        ({"constants": {"decided_by": "Panel\x00"}}, "not a value a cell could hold"),
    ],
)
def test_bad_mappings_say_what_is_wrong(data, message):
    with pytest.raises(DataError) as caught:
        load_mapping(data)
    assert any(message in p.message for p in caught.value.problems), caught.value.problems


def test_a_mapping_that_is_a_folder_or_missing_is_a_data_error_naming_it(tmp_path):
    folder = tmp_path / "layout.toml"
    folder.mkdir()
    with pytest.raises(DataError, match="this is a folder, not a mapping file") as caught:
        load_mapping(folder)
    assert caught.value.problems[0].file == str(folder)
    with pytest.raises(DataError, match="there is no mapping file at this path"):
        load_mapping(tmp_path / "missing.json")


def test_a_huge_mapping_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "layout.json"
    path.write_text('{"columns": {}, "notes": [' + '"x",' * 400_000 + '"y"]}', encoding="utf-8")
    with pytest.raises(DataError, match="larger than 1,048,576 bytes"):
        load_mapping(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_mapping_that_is_a_pipe_is_refused_at_once(tmp_path):
    fifo = tmp_path / "layout.toml"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        load_mapping(fifo)


def test_toml_dates_are_constants_as_written():
    mapping = load_mapping({"constants": {"decided_on": date(2022, 10, 6)}})
    assert mapping.constants == {"decided_on": "2022-10-06"}


def test_a_file_of_decisions_alone_takes_constants_for_the_date_and_the_decider(tmp_path):
    from sgfund.io.importer import read_decisions

    path = _sheet(tmp_path, ["Ref", "Decision", "Awarded"], ["A-1", "Funded", "900"])
    constants = {"decided_on": "06/10/2022", "decided_by": "Panel", "round_id": "mayor-gr2"}
    [decision] = read_decisions(
        path, mapping=_mapping(tmp_path, {"constants": constants})
    ).decisions
    assert (decision.decided_on, decision.decided_by) == (date(2022, 10, 6), "Panel")


# Every problem of a mapping file is located by file and line, like the fund file's, and all
# of them are listed at once, in the file's order.

BAD_TOML = """\
# GR2 in my own layout (with seven mistakes)
notes = ["Notes", "Ref"]
colour = "blue"

[columns]
application_id = "Ref"
project_titel = "Title"
project_title = "Project Title"
project_summary = "project title"

[constants]
round_id = "mayor-gr2"
amount_requested = 12.5
application_id = "A-1"

[values.outcome]
"Funded" = "approved"
"Not this time" = "maybe"
"""


def _located(problems):
    return [(p.file, p.row, p.message) for p in problems]


def test_every_mistake_in_a_toml_mapping_is_located_by_line_all_at_once(tmp_path):
    path = tmp_path / "layout.toml"
    path.write_text(BAD_TOML, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_mapping(path)
    f = str(path)
    assert _located(caught.value.problems) == [
        (f, 2, "the header 'Ref' is in notes and in columns.application_id"),
        (f, 3, "'colour' is not part of a mapping"),
        (f, 7, "'project_titel' in columns is not a canonical column name"),
        (
            f,
            9,
            "project_title and project_summary are both mapped to the header 'project title'; "
            "a column holds one field",
        ),
        (f, 13, "the constant for amount_requested is not a value a cell could hold"),
        (f, 14, "'application_id' in constants is not allowed in constants"),
        (
            f,
            18,
            "values.outcome: 'Not this time' maps to 'maybe', which is not "
            + caught.value.problems[-1].expected,
        ),
    ]


def test_every_mistake_in_a_json_mapping_is_located_by_line_all_at_once(tmp_path):
    path = tmp_path / "layout.json"
    path.write_text(
        "{\n"
        '  "columns": {"application_id": "Ref",\n'
        '              "project_titel": "Title"},\n'
        '  "constants": {\n'
        '    "round_id": "mayor-gr2",\n'
        '    "amount_requested": 12.5\n'
        "  },\n"
        '  "ignore": ["Colour",\n'
        "             7],\n"
        '  "values": {"outcome": {"Yes": "approved",\n'
        '                         "YES!": "rejected"}}\n'
        "}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        load_mapping(path)
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (3, "project_titel"),
        (6, "amount_requested"),
        (9, "ignore"),  # the second header of the list, on its own line
        (11, "outcome"),
    ]
    assert all(p.file == str(path) for p in caught.value.problems)


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("layout.toml", '[columns]\nproject_title = "Title"\nround_id = \n', 3),
        ("layout.json", '{"columns": {\n  "project_title": "Title",\n}}\n', 3),
        ("layout.toml", '[columns]\nproject_title = "Title"\n\n[values.outcome.a.b]\nc = 1\n', 5),
        ("layout.json", '[\n  "columns"\n]\n', 1),
    ],
)
def test_a_mapping_that_does_not_parse_or_is_not_one_names_the_line(tmp_path, name, text, line):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_mapping(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.row) == (str(path), line)


def test_a_byte_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "layout.toml"
    path.write_bytes(b'[columns]\nproject_title = "Title"\ndistrict = "Ar\xe9a"\n')
    with pytest.raises(DataError, match="not UTF-8") as caught:
        load_mapping(path)
    assert caught.value.problems[0].row == 3


def test_constants_that_cannot_be_used_point_at_their_line_in_the_mapping(tmp_path):
    mapping = tmp_path / "layout.toml"
    mapping.write_text(
        '[constants]\nround_id = "mayor-gr9"\n\ndecided_on = "31/02/2022"\ndecided_by = "Panel"\n',
        encoding="utf-8",
    )
    header = [*HEADER, "Decision", "Awarded"]
    path = _sheet(tmp_path, header, [*ROW, "Funded", "5000"])
    with pytest.raises(DataError) as caught:
        read_applications(path, pm=PM, rounds=[GR2], mapping=mapping)
    located = {p.field: (p.file, p.row) for p in caught.value.problems}
    assert located["round_id"] == (str(mapping), 2)
    assert located["decided_on"] == (str(mapping), 4)


def _paths(value, path=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*path, key)
            yield from _paths(child, (*path, key))


_KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_DOCS = st.recursive(
    st.one_of(st.integers(), st.text(max_size=5), st.none()),
    lambda inner: st.dictionaries(_KEYS, inner, max_size=4) | st.lists(inner, max_size=3),
    max_leaves=12,
).filter(lambda d: isinstance(d, dict))


@given(doc=_DOCS, indent=st.sampled_from([None, 1, 2]))
def test_every_key_of_a_json_text_is_found_on_its_own_line(doc, indent):
    from sgfund._keylines import JsonKeyLines

    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    lines = JsonKeyLines(text)
    rows = text.split("\n")  # as JSON counts lines
    for path in _paths(doc):
        found = lines.line(path)
        assert found is not None, path
        assert json.dumps(path[-1], ensure_ascii=False) + ":" in rows[found - 1], path
