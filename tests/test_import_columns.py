"""Header matching, aliases and mapping files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund.errors import DataError
from sgfund.io.columns import (
    APPLICATION_COLUMNS,
    DECISION_COLUMNS,
    column_letter,
    match_columns,
    normalise_header,
)
from sgfund.io.mapping import load_mapping

ALL = (*APPLICATION_COLUMNS, *DECISION_COLUMNS)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "data-formats.md"
CANONICAL = [c.name for c in APPLICATION_COLUMNS]


def test_no_alias_means_two_columns():
    owner: dict[str, str] = {}
    for column in ALL:
        for name in (column.name, *column.aliases):
            key = normalise_header(name)
            assert owner.setdefault(key, column.name) == column.name, (name, owner[key])


def test_every_column_and_alias_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for column in ALL:
        assert f"`{column.name}`" in text
        for alias in column.aliases:
            assert alias in text, alias


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (8, "I"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters_are_as_a_spreadsheet_shows_them(index, letter):
    assert column_letter(index) == letter


_decorate = st.sampled_from([str.upper, str.lower, str.title, lambda s: s])
_separators = st.sampled_from([" ", "_", "-", ".", "  ", " / "])


@given(
    column=st.sampled_from(ALL),
    data=st.data(),
    case=_decorate,
    sep=_separators,
    outer=st.sampled_from(["", " ", " (£)", ":", "*"]),
)
def test_a_header_matches_whatever_its_case_spacing_and_punctuation(column, data, case, sep, outer):
    name = data.draw(st.sampled_from((column.name, *column.aliases)))
    header = case(re.sub(r"[\s_]+", sep, name)) + outer
    others = [c.name for c in APPLICATION_COLUMNS if c.name != column.name]
    match, problems = match_columns(
        [*others, header], APPLICATION_COLUMNS, optional_groups=(DECISION_COLUMNS,)
    )
    assert match.positions[column.name] == len(others)
    assert match.header(column.name) == header
    assert not [p for p in problems if p.field == column.name]


def test_unknown_headers_are_listed_not_used():
    match, problems = match_columns([*CANONICAL, "Notes", "RAG status", ""], APPLICATION_COLUMNS)
    assert problems == []
    assert match.ignored == ("Notes", "RAG status")


def test_every_missing_required_column_is_listed_at_the_header_row():
    _, problems = match_columns(["Notes", "Application ID"], APPLICATION_COLUMNS, header_row=3)
    missing = [p.field for p in problems]
    assert missing == [
        c.name for c in APPLICATION_COLUMNS if c.required and c.name != "application_id"
    ]
    assert {p.row for p in problems} == {3}


def test_a_mapping_names_a_header_the_aliases_do_not_cover():
    headers = [h if h != "amount_requested" else "Grant requested (£)" for h in CANONICAL]
    match, problems = match_columns(
        headers, APPLICATION_COLUMNS, mapping={"amount_requested": "grant requested"}
    )
    assert problems == []
    assert match.header("amount_requested") == "Grant requested (£)"


def test_a_mapping_wins_over_an_alias_and_the_alias_column_is_ignored():
    headers = [*CANONICAL, "Award"]
    headers[CANONICAL.index("amount_requested")] = "Amount"
    match, problems = match_columns(
        headers, APPLICATION_COLUMNS, mapping={"amount_requested": "Award"}
    )
    assert problems == []
    assert match.header("amount_requested") == "Award"
    assert "Amount" in match.ignored


def test_a_mapped_header_that_is_not_in_the_file_is_one_problem_not_two():
    _, problems = match_columns(
        CANONICAL, APPLICATION_COLUMNS, mapping={"amount_requested": "Grant (£)"}
    )
    assert [p.message for p in problems] == [
        "the mapping puts amount_requested in a column headed 'Grant (£)', "
        "but the header has no such column"
    ]


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_mapping_files_in_json_and_toml(tmp_path, suffix):
    path = tmp_path / f"layout{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps({"columns": {"amount_requested": "Grant (£)"}}), "utf-8")
    else:
        path.write_text('[columns]\namount_requested = "Grant (£)"\n', "utf-8")
    assert load_mapping(path).columns == {"amount_requested": "Grant (£)"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"columns": {"grant": "Grant"}}, "'grant' in columns is not a canonical column name"),
        ({"columns": {"amount_requested": 5}}, "the header given for amount_requested in"),
        ({"columns": {"amount_requested": "(£)"}}, "the header given for amount_requested in"),
        ({"columns": {}, "sheet": "Apps"}, "'sheet' is not part of a mapping"),
        ([1, 2], "a mapping holds the tables 'columns', 'constants' and 'values'"),
        ("{not json", "the mapping file cannot be read"),
    ],
)
def test_bad_mapping_files_are_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / "layout.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    with pytest.raises(DataError) as caught:
        load_mapping(path)
    assert message in caught.value.problems[0].message
    assert caught.value.problems[0].file == str(path)


def test_every_unknown_name_in_a_mapping_is_listed():
    with pytest.raises(DataError) as caught:
        load_mapping({"columns": {"grant": "G", "amount_requested": "A", "when": "W"}})
    assert [p.field for p in caught.value.problems] == ["grant", "when"]


def test_a_mapping_file_must_be_json_or_toml(tmp_path):
    path = tmp_path / "layout.yaml"
    path.write_text("columns: {}\n")
    with pytest.raises(DataError, match=r"must end in \.json or \.toml"):
        load_mapping(path)
