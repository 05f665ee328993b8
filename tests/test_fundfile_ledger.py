"""A fund file in the ledger: stored, audited, re-applied with what changed; closed rounds kept."""

from datetime import UTC, datetime

import attrs
import pytest

from sgfund import Award, Ledger, Outcome, assess, make_plugin_manager
from sgfund.examples_scf import ENTRY_POINTS, example_dir
from sgfund.fundfile import (
    FundFileRefused,
    apply_fund_file,
    diff_fund_file,
    load_fund_file,
    loads_fund_file,
    stored_fund_file,
)
from sgfund.io.importer import import_applications
from sgfund.lifecycle import RoundState

DIR = example_dir()
SOURCE = (DIR / "fund.toml").read_text(encoding="utf-8")
AT = datetime(2019, 4, 15, 8, tzinfo=UTC)
GR3 = """
[[rounds]]
id = "mayor-gr3"
era = "mayor"
name = "Mayor's Safer Communities Fund, Grant Round 3"
opens_at = 2022-10-07T09:00:00
closes_at = 2022-11-11T12:00:00
advertised_pot = "350000.00"
max_grant = "8000.00"
theme_vocabularies = ["wy-safeguarding"]
"""


def edited(*replacements: tuple[str, str], extra: str = "", path: str = "fund.toml"):
    text = SOURCE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return loads_fund_file(text + extra, path=path)


def line_of(text: str, fragment: str, after: str = "") -> int:
    start = SOURCE.index(after) if after else 0
    return SOURCE[: SOURCE.index(fragment, start)].count("\n") + 1


@pytest.fixture
def ledger(tmp_path):
    with Ledger.open(tmp_path / "sgfund.db") as opened:
        apply_fund_file(opened, load_fund_file(DIR / "fund.toml"), actor="fund-admin", at=AT)
        yield opened


def close_round_16(ledger):
    """Take round 16 from its sheet to closed, as an officer would."""
    pm = make_plugin_manager(entry_points=ENTRY_POINTS)
    rnd = ledger.round("pcc-r16")
    at = datetime(2019, 9, 19, 9, tzinfo=UTC)
    ledger.set_round_state(rnd.id, "open", actor="officer", at=at)
    imported = import_applications(ledger, DIR / "pcc-r16.csv", actor="officer", at=at, pm=pm)
    ledger.set_round_state(rnd.id, "closed_to_applications", actor="officer", at=at)
    assessed = assess(rnd, imported.applications, pm=pm, as_of=at.date())
    ledger.record_assessments(assessed, actor="officer", at=at)
    ledger.set_round_state(rnd.id, "assessed", actor="officer", at=at)
    apps = {a.id: a for a in imported.applications}
    themes = ledger.round_records(rnd.id).final_themes()
    awards = [
        Award.from_decision(
            d,
            apps[d.application_id],
            themes=themes[d.application_id],
            award_id=f"{d.application_id}-A",
        )
        for d in imported.decisions
        if d.outcome is Outcome.APPROVED
    ]
    ledger.record_awards(awards, actor="panel", at=at)
    ledger.set_round_state(rnd.id, "decided", actor="panel", at=at)
    ledger.close_round(rnd.id, actor="fund-manager", at=at, pm=pm)


def test_applying_the_example_stores_fund_eras_rounds_and_the_file_audited(ledger):
    assert ledger.rounds() == {
        r: RoundState.DRAFT for r in ("pcc-r16", "pcc-r19", "pcc-r20", "mayor-gr1", "mayor-gr2")
    }
    assert ledger.round("mayor-gr2").era.funder_id == "XI-SGFUND-WYCA"
    (event,) = ledger.fund_files("wy-scf")
    assert event.actor == "fund-admin"
    assert event.detail["source"] == SOURCE
    assert "round pcc-r20" in event.detail["added"]
    stored = stored_fund_file(ledger, "wy-scf")
    assert stored is not None
    assert stored.rounds == load_fund_file(DIR / "fund.toml").rounds
    assert stored.publishers["mayor"].prefix == "360G-sgfund-example-wyca"
    assert [f.published_text for f in stored.declared_for("pcc-r20")] == [
        "33 grants",
        "£176,272.82",
    ]
    report = ledger.verify()
    assert report.ok, str(report)


def test_reapplying_the_same_file_writes_nothing(ledger):
    before = len(ledger.events())
    changes = apply_fund_file(ledger, load_fund_file(DIR / "fund.toml"), actor="a", at=AT)
    assert changes.empty
    assert "nothing to apply" in str(changes)
    assert len(ledger.events()) == before


def test_an_edited_file_shows_what_changes_and_applies_it(ledger):
    ff = edited(
        (
            'name = "West Yorkshire Combined Authority (sgfund example data)"',
            'name = "West Yorkshire Combined Authority (open data)"',
        ),
        ('published_text = "over £180,000"', 'published_text = "more than £180,000"'),
        extra=GR3,
    )
    dry = diff_fund_file(ledger, ff)
    assert dry.added == ("round mayor-gr3",)
    assert dry.refused == ()
    changed = {(c.what, c.id, c.field): c for c in dry.changed}
    publisher = changed[("publisher", "mayor", "name")]
    assert publisher.new == "West Yorkshire Combined Authority (open data)"
    assert publisher.line == line_of(SOURCE, 'name = "West Yorkshire Combined', "[[eras]]")
    declared = changed[("declared", "pcc-r19", "figures")]
    assert (declared.old, declared.new) == ("over £180,000", "more than £180,000")
    assert "round mayor-gr1" in dry.unchanged
    # The dry run wrote nothing; applying writes the new round and the new text.
    assert len(ledger.fund_files("wy-scf")) == 1
    assert apply_fund_file(ledger, ff, actor="fund-admin", at=AT) == dry
    assert ledger.rounds()["mayor-gr3"] is RoundState.DRAFT
    assert len(ledger.fund_files("wy-scf")) == 2
    stored = stored_fund_file(ledger, "wy-scf")
    assert stored is not None
    assert stored.publishers["mayor"].name == "West Yorkshire Combined Authority (open data)"
    assert ledger.verify().ok


def test_a_refused_change_of_a_rounds_times_shows_them_in_london_time(ledger):
    close_round_16(ledger)
    # Written in UTC, an hour earlier: both times are shown as London time (BST in May).
    ff = edited(("closes_at = 2019-05-24T12:00:00", "closes_at = 2019-05-24T10:00:00+00:00"))
    with pytest.raises(FundFileRefused) as caught:
        apply_fund_file(ledger, ff, actor="fund-admin", at=AT)
    [line] = caught.value.lines
    assert line.endswith(
        "its closes_at cannot change from 24 May 2019 12:00 BST to 24 May 2019 11:00 BST"
    ), line


def _assess_round_20(ledger):
    for step in ("open", "closed_to_applications", "assessed"):
        ledger.set_round_state("pcc-r20", step, actor="officer", at=AT)


def test_a_change_to_a_closed_or_assessed_round_is_refused_naming_round_field_and_line(ledger):
    close_round_16(ledger)
    _assess_round_20(ledger)
    before = len(ledger.events())
    ff = edited(
        ('max_grant = "6000.00"', 'max_grant = "7000.00"'),
        ('name = "Safer Communities Fund, Round 20"', 'name = "Round 20"'),
        # A draft round's change would be amended, but nothing is written when anything is
        # refused.
        ('name = "Safer Communities Fund, Round 19"', 'name = "Round 19"'),
        extra=GR3,
    )
    with pytest.raises(FundFileRefused) as caught:
        apply_fund_file(ledger, ff, actor="fund-admin", at=AT)
    max_line = line_of(SOURCE, 'max_grant = "6000.00"')
    name_line = line_of(SOURCE, 'name = "Safer Communities Fund, Round 20"')
    assert caught.value.lines == [
        f"fund.toml:{max_line}: round 'pcc-r16' is closed at 19 September 2019 10:00 BST by "
        "fund-manager: its max_grant cannot change from '6000.00' to '7000.00'",
        f"fund.toml:{name_line}: round 'pcc-r20' is assessed: its applications are being "
        "judged under its terms, which only a draft or open round may change: its name cannot "
        "change from 'Safer Communities Fund, Round 20' to 'Round 20'",
    ]
    # Nothing was written: not even the new round the file also adds, nor round 19's name.
    assert len(ledger.events()) == before
    assert "mayor-gr3" not in ledger.rounds()
    assert ledger.round("pcc-r19").name == "Safer Communities Fund, Round 19"
    assert diff_fund_file(ledger, ff).refused == tuple(caught.value.problems)


def test_leaving_out_a_round_changing_an_era_in_use_or_the_fund_name_is_refused(ledger):
    # A round added to the ledger directly is one the file leaves out.
    extra = attrs.evolve(ledger.round("mayor-gr2"), id="mayor-extra")
    ledger.add_round(extra, actor="fund-admin", at=AT)
    ff = edited(
        (
            'funder_name = "West Yorkshire Police and Crime Commissioner"',
            'funder_name = "PCC"',
        ),
        ('name = "Safer Communities Fund (West Yorkshire)"', 'name = "SCF"'),
    )
    with pytest.raises(FundFileRefused) as caught:
        apply_fund_file(ledger, ff, actor="fund-admin", at=AT)
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "fund 'wy-scf' is in the ledger as 'Safer Communities Fund (West Yorkshire)': its name "
        "cannot change",
        "era 'pcc' is in the ledger with its rounds: its funder_name cannot change from "
        "'West Yorkshire Police and Crime Commissioner' to 'PCC'",
        "round 'mayor-extra' is in the ledger (draft) but not in the fund file: rounds are never "
        "removed; keep its [[rounds]] table",
    ]
    assert [p.row for p in caught.value.problems] == [
        line_of(SOURCE, 'name = "Safer Communities Fund (West Yorkshire)"'),
        line_of(SOURCE, 'funder_name = "West Yorkshire Police'),
        line_of(SOURCE, "[[rounds]]"),
    ]


def test_an_open_rounds_window_and_a_draft_rounds_name_are_amended_audited(ledger):
    ledger.set_round_state("pcc-r20", "open", actor="officer", at=AT)
    old_r20 = ledger.round("pcc-r20")
    ff = edited(
        ("closes_at = 2021-02-12T12:00:00", "closes_at = 2021-02-26T12:00:00"),
        ('name = "Safer Communities Fund, Round 19"', 'name = "Round 19 (corrected)"'),
    )
    dry = diff_fund_file(ledger, ff)
    assert dry.refused == ()
    changed = {(c.what, c.id, c.field): c for c in dry.changed}
    window = changed[("round", "pcc-r20", "closes_at")]
    assert (window.old, window.new) == ("12 February 2021 12:00 GMT", "26 February 2021 12:00 GMT")
    assert window.line == line_of(SOURCE, "closes_at = 2021-02-12T12:00:00")
    assert changed[("round", "pcc-r19", "name")].new == "Round 19 (corrected)"
    shown = "~ round pcc-r20: closes_at 12 February 2021 12:00 GMT -> 26 February 2021 12:00 GMT"
    assert shown in str(dry)
    assert ledger.round("pcc-r20") == old_r20  # a dry run writes nothing

    assert apply_fund_file(ledger, ff, actor="fund-admin", at=AT) == dry
    amended = ledger.round("pcc-r20")
    assert amended.closes_at == datetime(2021, 2, 26, 12, tzinfo=UTC)
    assert ledger.round_state("pcc-r20") is RoundState.OPEN
    assert ledger.round("pcc-r19").name == "Round 19 (corrected)"
    [event] = [e for e in ledger.events(round_id="pcc-r20") if e.action == "round.amended"]
    assert event.actor == "fund-admin"
    assert event.detail["changes"] == {
        "closes_at": {
            "old": old_r20.closes_at.isoformat(),
            "new": amended.closes_at.isoformat(),
        }
    }
    assert ledger.verify().ok
    # Applied again, the same file is in force: nothing to do.
    assert apply_fund_file(ledger, ff, actor="fund-admin", at=AT).empty
