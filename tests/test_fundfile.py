"""The fund file: the Safer Communities Fund example loads, and every problem is listed by line."""

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given

from sgfund._keylines import KeyLines
from sgfund.dates import LONDON, london
from sgfund.errors import DataError
from sgfund.examples_scf import example_dir
from sgfund.fundfile import FundFileError, load_fund_file, loads_fund_file
from sgfund.organisations import OrgType
from sgfund.scope import Figure, Precision
from sgfund.testing import strategies

EXAMPLE = example_dir() / "fund.toml"

GOOD = """\
[fund]
id = "f"
name = "A fund"

[[eras]]
id = "old"
funder_id = "XI-OLD"
funder_name = "Old funder"
start = 2014-01-01
end = 2021-05-09

[eras.publisher]
prefix = "360G-old"
name = "Old funder"

[[eras]]
id = "new"
funder_id = "XI-NEW"
funder_name = "New funder"
start = 2021-11-15

[eras.publisher]
prefix = "360G-new"
name = "New funder"

[[rounds]]
id = "r1"
era = "old"
name = "Round 1"
opens_at = 2019-04-16T09:00:00
closes_at = 2019-05-24T12:00:00
advertised_pot = "200000.00"
max_grant = 6000

[[rounds]]
id = "r2"
era = "new"
name = "Round 2"
opens_at = 2022-05-09T09:00:00+01:00
closes_at = 2022-06-10T12:00:00
"""


def problem_lines(text: str) -> list[str]:
    with pytest.raises(FundFileError) as caught:
        loads_fund_file(text, path="fund.toml")
    return caught.value.lines


def test_the_example_fund_file_has_both_eras_with_their_funders_and_publishers():
    ff = load_fund_file(EXAMPLE)
    assert ff.fund.id == "wy-scf"
    assert [(e.id, e.funder_id, e.start) for e in ff.eras] == [
        ("pcc", "XI-SGFUND-WY-PCC", date(2014, 1, 1)),
        ("mayor", "XI-SGFUND-WYCA", date(2021, 11, 15)),
    ]
    assert ff.publishers["pcc"].prefix == "360G-sgfund-example-pcc"
    assert ff.publishers["mayor"].prefix == "360G-sgfund-example-wyca"
    # Each era's exports name its own funder.
    assert ff.publishers["pcc"].funder_for(ff.era("pcc")).id == "XI-SGFUND-WY-PCC"
    assert ff.publishers["mayor"].funder_for(ff.era("mayor")).id == "XI-SGFUND-WYCA"
    assert ff.source == EXAMPLE.read_text(encoding="utf-8")


def test_the_example_rounds_have_the_published_windows_pots_and_maximum_grants():
    ff = load_fund_file(EXAMPLE)
    ids = [r.id for r in ff.rounds]
    assert ids == ["pcc-r16", "pcc-r19", "pcc-r20", "mayor-gr1", "mayor-gr2"]
    assert len(set(ids)) == len(ids)
    gr2 = ff.round("mayor-gr2")
    assert gr2.era.id == "mayor"
    assert gr2.opens_at == london(2022, 5, 9, 9)
    assert gr2.closes_at == london(2022, 6, 10, 12)
    assert gr2.closes_at.tzinfo is LONDON
    assert gr2.advertised_pot == Decimal("270000.00")
    assert {r.id: r.max_grant for r in ff.rounds} == dict.fromkeys(ids, Decimal("6000.00"))
    assert ff.round("pcc-r16").eligible_org_types >= {OrgType.OTHER, OrgType.CIC}
    assert all(r.theme_vocabularies == ("wy-safeguarding",) for r in ff.rounds)
    assert ff.round("pcc-r20").era.funder_name == "West Yorkshire Police and Crime Commissioner"


def test_the_example_declares_the_published_figures_with_precision_and_source():
    ff = load_fund_file(EXAMPLE)
    scope = ff.scopes["mayor-scf-2022"]
    assert [r.id for r in scope.rounds] == ["mayor-gr1", "mayor-gr2"]
    by_text = {f.published_text: f for f in scope.declared}
    assert by_text["100 projects"].figure is Figure.PROJECTS
    assert by_text["100 projects"].value == 100
    assert by_text["£534,286"].precision is Precision.ROUNDED
    assert by_text["£534,286"].unit == 1
    assert by_text["over £530,000"].precision is Precision.LOWER_BOUND
    assert "Mayor's safeguarding report" in by_text["£534,286"].source
    r20 = {f.published_text: f for f in ff.declared_for("pcc-r20")}
    assert r20["33 grants"].value == 33
    assert r20["£176,272.82"].value == Decimal("176272.82")
    assert r20["£176,272.82"].precision is Precision.EXACT
    # The completion dates and the 2019 award are kept as skipped lines, with the reason.
    skipped = [reason for _, reason in ff.declared.skipped]
    assert skipped.count("'completion' is not a figure sgfund computes") == 2
    assert skipped.count("'award' is not a figure sgfund computes") == 1
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert all(lines[n - 1] == "[[declared]]" for n, _ in ff.declared.skipped)


def test_a_good_small_file_loads_local_times_as_london_and_offsets_as_given():
    ff = loads_fund_file(GOOD)
    r1, r2 = ff.rounds
    assert r1.opens_at == london(2019, 4, 16, 9)
    assert r1.max_grant == Decimal("6000.00")
    assert r2.opens_at == london(2022, 5, 9, 9)
    assert r2.max_grant is None
    assert ff.declared.by_scope == {}


EVERY_PROBLEM = """\
[fund]
id = "Not A Slug"
name = "A fund"
colour = "blue"

[[eras]]
id = "old"
funder_id = "XI-OLD"
funder_name = "Old funder"
start = 2014-01-01
end = 2021-05-09

[eras.publisher]
prefix = "360G-old"
name = "Old funder"
licence = "CC-BY"

[[eras]]
id = "new"
funder_id = "XI-NEW"
start = "2021-11-15"

[[rounds]]
id = "r1"
era = "old"
name = "Round 1"
opens_at = 2019-04-16
closes_at = 2019-05-24T12:00:00
max_grant = 6000.0

[[rounds]]
id = "r1"
era = "old"
name = "Round 1 again"
opens_at = 2019-06-01T09:00:00
closes_at = 2019-05-24T12:00:00

[[rounds]]
id = "r3"
era = "mayor"
name = "Round 3"
opens_at = 2022-05-09T09:00:00
closes_at = 2022-06-10T12:00:00
max_grants = "6000.00"

[[rounds]]
id = "r4"
era = "old"
name = "Round 4"
opens_at = 2020-03-01T09:00:00
closes_at = 2020-03-29T01:30:00
min_grant = "500.00"

[[rounds]]
id = "r5"
era = "old"
name = "Round 5, after the era ended"
opens_at = 2021-09-01T09:00:00
closes_at = 2021-10-01T12:00:00
min_grant = "500.00"
max_grant = "400.00"
eligible_org_types = ["cic", "charity-ish"]

[[scopes]]
id = "both"
label = "Both"
rounds = ["r5", "r9"]

[[declared]]
scope = "r5"
figure = "total_awarded"
published_text = "£1,000"
value = 1000.0
precision = "exact"

[[declared]]
scope = "nowhere"
figure = "projects"
published_text = "3 projects"
value = 3
precision = "roughly"
"""


def test_every_problem_in_a_fund_file_is_listed_with_its_line():
    lines = problem_lines(EVERY_PROBLEM)
    expected = [
        "fund.toml:2: fund.id: expected a slug",
        "fund.toml:4: fund.colour: 'colour' is not a key sgfund knows here",
        "fund.toml:16: eras[0].publisher.licence: expected an http(s) URL",
        "fund.toml:18: eras[1]: 'funder_name' is missing",
        "fund.toml:18: eras[1]: the era's [eras.publisher] table is missing",
        "fund.toml:21: eras[1].start: expected a TOML date",
        "fund.toml:27: rounds[0].opens_at: expected a TOML date and time",
        "fund.toml:29: rounds[0].max_grant: expected money as text in quotes",
        "fund.toml:32: rounds[1].id: round 'r1' is already defined at line 24",
        "fund.toml:40: rounds[2].era: era 'mayor' is not one of the file's eras",
        "fund.toml:44: rounds[2].max_grants: 'max_grants' is not a key sgfund knows here",
        "fund.toml:51: rounds[3].closes_at: expected a time that exists in London",
        "fund.toml:58: rounds[4].opens_at: the round opens on 2021-09-01, outside its era "
        "'old' (2014-01-01 to 2021-05-09)",
        "fund.toml:61: rounds[4].max_grant: expected at least min_grant 500.00",
        "fund.toml:62: rounds[4].eligible_org_types: expected organisation types",
        "fund.toml:67: scopes[0].rounds: round 'r9' is not one of the file's rounds",
        "fund.toml:73: declared[0].value: a TOML float is not exact",
        "fund.toml:77: declared[1].scope: 'nowhere' is neither a round nor a scope",
        "fund.toml:81: declared[1].precision: unknown precision 'roughly'",
    ]
    assert len(lines) == len(expected), "\n".join(lines)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), f"{line!r} does not start {start!r}"


def test_a_repeated_round_id_names_the_line_of_the_first():
    text = GOOD.replace('id = "r2"', 'id = "r1"')
    assert problem_lines(text) == [
        "fund.toml:36: rounds[1].id: round 'r1' is already defined at line 27"
    ]


def test_round_ids_are_unique_across_eras_and_era_ids_too():
    text = GOOD.replace('id = "new"', 'id = "old"').replace('era = "new"', 'era = "old"')
    lines = problem_lines(text)
    assert lines[0] == "fund.toml:17: eras[1].id: era 'old' is already defined at line 6"


def test_a_file_that_is_not_toml_is_refused_at_its_line():
    lines = problem_lines(GOOD + "\n[[rounds]\nid = 1\n")
    assert len(lines) == 1
    assert lines[0].startswith("fund.toml:42: not valid TOML")


def test_a_missing_fund_table_and_eras_are_each_a_problem():
    lines = problem_lines('[[rounds]]\nid = "r1"\n')
    assert "fund.toml: the [fund] table is missing" in lines
    assert "fund.toml: no [[eras]] given" in lines
    assert any(line.startswith("fund.toml:1: rounds[0]: 'era' is missing") for line in lines)


def test_money_that_is_not_exact_is_refused_naming_the_key():
    text = GOOD.replace('advertised_pot = "200000.00"', 'advertised_pot = "200000.005"')
    (line,) = problem_lines(text)
    assert line.startswith("fund.toml:32: rounds[0].advertised_pot: expected")


def test_a_file_that_is_not_utf8_or_missing_is_a_located_data_error(tmp_path: Path):
    bad = tmp_path / "fund.toml"
    bad.write_bytes(GOOD.encode() + b"\n# caf\xe9\n")
    with pytest.raises(FundFileError) as caught:
        load_fund_file(bad)
    assert caught.value.lines == [
        f"{bad}:42: the fund file is not UTF-8: byte 0xE9 at byte offset {len(GOOD) + 6}"
    ]
    with pytest.raises(DataError) as missing:
        load_fund_file(tmp_path / "nope.toml")
    assert str(tmp_path / "nope.toml") in str(missing.value)


def test_key_lines_follow_tables_arrays_of_tables_and_skip_multiline_strings():
    text = (
        "[fund]\n"
        'id = "f"\n'
        'note = """\n'
        'id = "not a key"\n'
        '"""\n'
        "[[rounds]]\n"
        'id = "a"\n'
        "list = [\n"
        '  "x",\n'
        "]\n"
        "[[rounds]]\n"
        "# a comment\n"
        'id = "b"\n'
        "[rounds.extra]\n"
        "k = 1\n"
    )
    lines = KeyLines(text)
    assert lines.line(("fund", "id")) == 2
    assert lines.line(("rounds", 0, "id")) == 7
    assert lines.line(("rounds", 0, "list", 0)) == 8
    assert lines.line(("rounds", 1)) == 11
    assert lines.line(("rounds", 1, "id")) == 13
    assert lines.line(("rounds", 1, "extra", "k")) == 15
    assert lines.line(("rounds", 1, "missing")) == 11
    assert lines.line(("nothing",)) is None


def _toml(value):
    """A value as TOML: text as a basic string, dates and times bare, lists of text."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f'"{value}"'
    if isinstance(value, int):
        return str(value)
    return "[" + ", ".join(_toml(v) for v in value) + "]"


def render(rnd) -> str:
    """A fund file holding one round, written out by hand."""
    era = rnd.era
    lines = [
        "[fund]",
        f"id = {_toml(rnd.fund_id)}",
        'name = "A fund"',
        "[[eras]]",
        f"id = {_toml(era.id)}",
        f"funder_id = {_toml(era.funder_id)}",
        f"funder_name = {_toml(era.funder_name)}",
        f"start = {_toml(era.start)}",
        "[eras.publisher]",
        'prefix = "360G-test"',
        'name = "A publisher"',
        "[[rounds]]",
        f"era = {_toml(era.id)}",
    ]
    for key in ("id", "name", "opens_at", "closes_at", "advertised_pot", "min_grant"):
        value = getattr(rnd, key)
        if value is not None:
            lines.append(f"{key} = {_toml(value)}")
    lines.append(f"max_grant = {_toml(rnd.max_grant)}")
    lines.append(f"max_project_months = {rnd.max_project_months}")
    lines.append(f"eligible_org_types = {_toml(sorted(rnd.eligible_org_types))}")
    lines.append(f"theme_vocabularies = {_toml(rnd.theme_vocabularies)}")
    if rnd.area is not None:
        lines.append(f"area = {_toml(rnd.area)}")
    return "\n".join(lines) + "\n"


@given(strategies.rounds(vocabulary_ids=("themes-a", "themes-b")))
def test_any_round_written_in_a_fund_file_reads_back_the_same(rnd):
    # The round must open within its era: start the era on its opening day, with no end.
    era = attrs.evolve(rnd.era, start=rnd.opens_at.date(), end=None)
    rnd = attrs.evolve(rnd, era=era)
    ff = loads_fund_file(render(rnd))
    assert ff.rounds == (rnd,)
    assert ff.eras == (era,)
