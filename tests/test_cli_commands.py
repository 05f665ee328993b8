"""Every `sgfund` command through click's runner: text, --json shapes and exit codes.

One officer's journey through a round of the example fund: the fund file, a sheet without
decisions, two referrals resolved with reasons, a panel's decisions sheet, awards, closing,
reconciling, publishing.
"""

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.examples_scf import example_dir
from sgfund.ledger import Ledger

DATA = example_dir()
FUND_FILE = DATA / "fund.toml"
DECISION_COLUMNS = ["Outcome", "Amount awarded", "Decided on", "Decided by", "Reasons"]
# The example data's referrals in GR1: outside the area (resolved eligible), and refreshments
# (resolved ineligible; the panel rejected it).
REFERRED = ["GR1-008", "GR1-041"]


def split_sheet(folder: Path) -> tuple[Path, Path]:
    """mayor-gr1.csv as two sheets: the applications and the panel's decisions."""
    with (DATA / "mayor-gr1.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    apps, panel = folder / "gr1-applications.csv", folder / "gr1-panel.csv"
    app_columns = [c for c in rows[0] if c not in DECISION_COLUMNS]
    with apps.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, app_columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with panel.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["Application ref", *DECISION_COLUMNS], extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return apps, panel


class Journey:
    def __init__(self, folder: Path):
        self.folder = folder
        self.db = folder / "fund.db"
        self.runner = CliRunner()

    def run(self, *args: str, code: int = 0):
        result = self.runner.invoke(
            cli, ["--db", str(self.db), *args], env={"SGFUND_ACTOR": "officer-a"}
        )
        assert result.exit_code == code, (args, result.output, result.stderr)
        return result

    def json(self, *args: str, code: int = 0):
        return json.loads(self.run(*args, "--json", code=code).stdout)


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    folder = tmp_path_factory.mktemp("journey")
    j = Journey(folder)
    j.apps, j.panel = split_sheet(folder)
    j.results = {}
    r = j.results
    r["init-dry"] = j.json("init", str(FUND_FILE), "--dry-run")
    r["ledger-after-dry-run"] = j.db.exists()
    r["init"] = j.json("init", str(FUND_FILE), "--as-of", "2021-11-01")
    r["init-again"] = j.json("init", str(FUND_FILE), "--as-of", "2021-11-02")
    r["rounds-before"] = j.json("rounds")
    r["import"] = j.json("import", str(j.apps), "--as-of", "2021-12-17T14:00")
    r["assess"] = j.json("assess", "mayor-gr1", "--as-of", "2021-12-17T15:00")
    r["referrals"] = j.json("referrals", "--pending")
    r["referrals-text"] = j.run("referrals").stdout
    r["decide"] = j.json(
        "decide", str(j.panel), "--round", "mayor-gr1", "--as-of", "2022-03-01T10:00"
    )
    # An approval of a referral still unresolved is refused before any award is made.
    r["award-refused"] = j.run("award", "mayor-gr1", "--as-of", "2022-03-01T10:00", code=1)
    r["close-refused"] = j.run("close", "mayor-gr1", "--as-of", "2022-03-01T11:00", code=1)
    r["resolve"] = j.json(
        "referrals",
        "resolve",
        "GR1-041",
        "--ineligible",
        "--reason",
        "Refreshments, which the fund does not pay for.",
        "--as-of",
        "2022-03-01T11:30",
    )
    j.run(
        "referrals",
        "resolve",
        "GR1-008",
        "--round",
        "mayor-gr1",
        "--eligible",
        "--reason",
        "Otley is in Leeds.",
    )
    r["award"] = j.json("award", "mayor-gr1", "--as-of", "2022-03-01T12:00")
    # Decided, not closed: its figures are provisional, so publishing needs saying so.
    early = folder / "early"
    r["export-decided"] = j.run("export", "360giving", "mayor-gr1", "--out", str(early), code=1)
    r["export-decided-wrote"] = early.exists()
    r["export-decided-forced"] = j.run(
        "export", "360giving", "mayor-gr1", "--out", str(early), "--include-unclosed", "--json"
    )
    table = folder / "early-transparency.csv"
    r["transparency-decided"] = j.run(
        "export", "transparency", "mayor-gr1", "--out", str(table), code=1
    )
    r["transparency-decided-wrote"] = table.exists()
    r["transparency-decided-forced"] = j.run(
        "export", "transparency", "mayor-gr1", "--out", str(table), "--include-unclosed", "--json"
    )
    r["applications-decided"] = j.json(
        "export", "applications", "mayor-gr1", "--out", str(folder / "early-apps.csv")
    )
    # Given in UTC on a summer day: people are shown London time (BST), an hour on.
    r["close"] = j.json("close", "mayor-gr1", "--as-of", "2022-07-01T11:00+00:00")
    r["rounds-after"] = j.json("rounds")
    return j


def test_init_sets_the_fund_up_from_its_fund_file_and_says_what_changed(journey):
    dry, applied, again = (journey.results[k] for k in ("init-dry", "init", "init-again"))
    assert dry["dry_run"] and not journey.results["ledger-after-dry-run"]
    assert "round mayor-gr1" in dry["added"] and "fund wy-scf" in dry["added"]
    assert applied["added"] == dry["added"] and not applied["dry_run"]
    assert again["added"] == [] and again["changed"] == [] and not again["text_changed"]
    assert "nothing to apply" in journey.run("init", str(FUND_FILE)).stdout


def test_init_refuses_a_change_to_a_closed_round_naming_its_line(journey, tmp_path):
    text = FUND_FILE.read_text(encoding="utf-8")
    edited = tmp_path / "fund.toml"
    line = text[: text.index("closes_at = 2021-12-17T12:00:00")].count("\n") + 1
    edited.write_text(
        text.replace("closes_at = 2021-12-17T12:00:00", "closes_at = 2021-12-24T12:00:00"),
        encoding="utf-8",
    )
    result = journey.run("init", str(edited), code=1)
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{edited}:{line}:"), first
    assert "round 'mayor-gr1' is closed at 1 July 2022 12:00 BST by officer-a" in first
    assert "closes_at cannot change from 17 December 2021 12:00 GMT" in first
    assert "Traceback" not in result.stderr


def test_init_extends_a_draft_rounds_closing_date_audited(tmp_path):
    j = Journey(tmp_path)
    j.run("init", str(FUND_FILE), "--as-of", "2021-01-04")
    text = FUND_FILE.read_text(encoding="utf-8")
    edited = tmp_path / "fund.toml"
    edited.write_text(
        text.replace("closes_at = 2021-02-12T12:00:00", "closes_at = 2021-02-26T12:00:00"),
        encoding="utf-8",
    )
    dry = j.run("init", str(edited), "--dry-run").stdout
    shown = "~ round pcc-r20: closes_at 12 February 2021 12:00 GMT -> 26 February 2021 12:00 GMT"
    assert shown in dry
    before = {r["id"]: r for r in j.json("rounds")["rounds"]}
    assert before["pcc-r20"]["closes_at"] == "2021-02-12T12:00:00+00:00"
    applied = j.json("init", str(edited), "--as-of", "2021-02-01T10:00")
    assert applied["refused"] == []
    assert {
        "what": "round",
        "id": "pcc-r20",
        "field": "closes_at",
        "old": "12 February 2021 12:00 GMT",
        "new": "26 February 2021 12:00 GMT",
        "line": text[: text.index("closes_at = 2021-02-12T12:00:00")].count("\n") + 1,
    } in applied["changed"]
    after = {r["id"]: r for r in j.json("rounds")["rounds"]}
    assert after["pcc-r20"]["closes_at"] == "2021-02-26T12:00:00+00:00"
    assert "to 26 February 2021 12:00 GMT" in j.run("rounds").stdout
    with Ledger.open(j.db) as ledger:
        [event] = [e for e in ledger.events(round_id="pcc-r20") if e.action == "round.amended"]
        assert event.actor == "officer-a"
        assert event.detail["changes"]["closes_at"] == {
            "old": "2021-02-12T12:00:00+00:00",
            "new": "2021-02-26T12:00:00+00:00",
        }
    assert j.json("audit", "verify")["ok"]


def test_rounds_lists_every_round_with_its_state_and_counts(journey):
    before = {r["id"]: r for r in journey.results["rounds-before"]["rounds"]}
    assert before["mayor-gr1"]["state"] == "draft" and before["mayor-gr1"]["applications"] == 0
    after = {r["id"]: r for r in journey.results["rounds-after"]["rounds"]}
    assert after["mayor-gr1"] == {
        "id": "mayor-gr1",
        "name": "Mayor's Safer Communities Fund, Grant Round 1",
        "era": "mayor",
        "funder": after["mayor-gr1"]["funder"],
        "state": "closed",
        "opens_at": "2021-11-15T09:00:00+00:00",
        "closes_at": "2021-12-17T12:00:00+00:00",
        "applications": 54,
        "decisions": 54,
        "awards": 39,
        "awarded": "208253.16",
        "referrals_pending": 0,
    }
    text = journey.run("rounds").stdout
    assert "mayor-gr1    closed" in text and "39 awards, £208,253.16" in text


def test_import_reports_what_it_added(journey):
    assert journey.results["import"] == {
        "file": str(journey.apps),
        "rows": 54,
        "applications": 54,
        "decisions": 0,
        "rounds": ["mayor-gr1"],
        "columns_not_read": [],
    }


def test_assess_counts_and_names_the_referred(journey):
    assessed = journey.results["assess"]
    assert assessed["round"] == "mayor-gr1" and assessed["as_of"] == "2021-12-17"
    assert assessed["counts"] == {"eligible": 52, "ineligible": 0, "refer": 2}
    assert assessed["referred"] == REFERRED
    assert assessed["rule_versions"]["submitted-in-window"]


def test_referrals_list_the_queue_with_the_rules_reasons(journey):
    queue = journey.results["referrals"]["referrals"]
    assert [r["application_id"] for r in queue] == REFERRED
    assert all(r["resolution"] is None for r in queue)
    assert any("wy-area" in reason for reason in queue[0]["reasons"])
    assert any("refreshments" in reason for reason in queue[1]["reasons"])
    assert "GR1-041 (mayor-gr1)" in journey.results["referrals-text"]
    assert "[pending]" in journey.results["referrals-text"]


def test_decide_records_the_panels_sheet(journey):
    assert journey.results["decide"] == {
        "file": str(journey.panel),
        "round": "mayor-gr1",
        "decisions": 54,
        "outcomes": {"approved": 39, "rejected": 12, "withdrawn": 3},
    }


def test_award_makes_the_approved_awards(journey):
    assert journey.results["award"] == {"round": "mayor-gr1", "awards": 39, "awarded": "208253.16"}


def test_award_is_refused_while_an_approved_application_has_an_unresolved_referral(journey):
    refused = journey.results["award-refused"].stderr
    assert "round 'mayor-gr1': no awards made" in refused
    assert "application GR1-008 was referred and the referral is unresolved: " in refused
    assert "wy-area" in refused and "Traceback" not in refused


def test_close_is_refused_with_every_reason_until_the_referrals_are_resolved(journey):
    refused = journey.results["close-refused"]
    for app in REFERRED:
        assert (
            f"round mayor-gr1: application {app} was referred and the referral is unresolved"
            in (refused.stderr)
        )
    assert "Traceback" not in refused.stderr and refused.stdout == ""


def test_resolve_records_the_officers_reason_and_name(journey):
    assert journey.results["resolve"] == {
        "resolution": {
            "application_id": "GR1-041",
            "eligible": False,
            "reason": "Refreshments, which the fund does not pay for.",
            "resolved_by": "officer-a",
            "resolved_on": "2022-03-01",
        }
    }
    listed = journey.json("referrals")["referrals"][0]["resolution"]
    assert listed["resolved_by"] == "officer-a" and listed["eligible"] is True


def test_resolving_an_unknown_or_unreferred_application_says_which(journey):
    args = ("--ineligible", "--reason", "r", "--as-of", "2022-03-01T11:30")
    unknown = journey.run("referrals", "resolve", "GR1-999", *args, code=1)
    assert unknown.stderr == "sgfund: application 'GR1-999' is not in the ledger\n"
    eligible = journey.run("referrals", "resolve", "GR1-001", *args, code=1)
    assert "application 'GR1-001' is not referred" in eligible.stderr


def test_close_seals_the_round_and_gives_its_anchor(journey):
    closed = journey.results["close"]
    assert (closed["applications"], closed["awards"], closed["awarded"]) == (54, 39, "208253.16")
    assert closed["anchor"].startswith("sgfund-anchor:v1:")
    assert journey.json("audit", "anchor", "mayor-gr1") == {
        "round": "mayor-gr1",
        "anchor": closed["anchor"],
    }


def test_a_closed_round_is_refused_saying_when_it_closed_in_london_time(journey):
    refused = journey.run("award", "mayor-gr1", "--as-of", "2022-07-02T10:00", code=1)
    assert refused.stderr == (
        "sgfund: round 'mayor-gr1' was closed at 1 July 2022 12:00 BST by officer-a\n"
    )


def test_reconcile_against_the_fund_files_published_figures(journey):
    report = journey.json("reconcile", "mayor-gr1")
    assert report["ok"] and report["totals"]["awards"] == {"count": 39, "total": "208253.16"}
    assert "Result: reconciled" in journey.run("reconcile", "mayor-gr1").stdout
    # The 2022 scope of the fund file: GR2 is not imported here, so its figures disagree.
    scf = journey.json("reconcile", "mayor-scf-2022", code=1)
    assert scf["scope"]["id"] == "mayor-scf-2022" and not scf["ok"]
    assert {f["published_text"] for f in scf["figures"]} >= {"100 projects", "£534,286"}


def test_reconcile_exits_1_when_a_published_figure_disagrees(journey, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        "scope,figure,published_text,value,precision\nmayor-gr1,projects,40 projects,40,exact\n",
        encoding="utf-8",
    )
    result = journey.run("reconcile", "mayor-gr1", "--declared", str(wrong), code=1)
    assert "DISCREPANCY" in result.stdout


def test_reconcile_warns_of_every_row_of_the_declared_file_it_does_not_compare(journey, tmp_path):
    declared = tmp_path / "declared.csv"
    declared.write_text(
        "scope,figure,published_text,value,precision\n"
        "mayor-gr1,projects,39 projects,39,exact\n"
        "mayor-gr1,total_awrded,£1,1,exact\n"
        "mayor-gr01,projects,40 projects,40,exact\n",
        encoding="utf-8",
    )
    expected = [
        f"{declared}: row 3: 'total_awrded' is not a figure sgfund computes; not compared",
        f"{declared}: 1 figure(s) not compared: scope 'mayor-gr01': round 'mayor-gr01' is not "
        "in the ledger (rounds: ",
    ]
    result = journey.run("reconcile", "mayor-gr1", "--declared", str(declared), "--json")
    warnings = json.loads(result.stdout)["declared_warnings"]
    assert len(warnings) == 2
    assert warnings[0] == expected[0] and warnings[1].startswith(expected[1])
    assert result.stderr.splitlines() == [f"sgfund: warning: {w}" for w in warnings]
    text = journey.run("reconcile", "mayor-gr1", "--declared", str(declared))
    assert "Result: reconciled" in text.stdout and "total_awrded" in text.stderr
    # A file with nothing for the scope asked says so rather than reconciling nothing quietly.
    other = tmp_path / "other.csv"
    other.write_text(
        "scope,figure,published_text,value,precision\nmayor-gr2,projects,61,61,exact\n",
        encoding="utf-8",
    )
    quiet = journey.run("reconcile", "mayor-gr1", "--declared", str(other))
    assert f"{other}: no figures for scope 'mayor-gr1' (scopes in the file: 'mayor-gr2')" in (
        quiet.stderr
    )


def test_totals_of_a_scope(journey):
    found = journey.json("totals", "mayor-gr1")
    assert found["scope"]["rounds"] == ["mayor-gr1"]
    assert journey.json("totals", "mayor-gr1..mayor-gr2")["scope"]["rounds"] == [
        "mayor-gr1",
        "mayor-gr2",
    ]
    assert found["totals"]["awards"] == {"count": 39, "total": "208253.16"}
    text = journey.run("totals", "mayor-gr1").stdout
    assert text.startswith("Totals: Mayor's Safer Communities Fund, Grant Round 1")
    assert "£208,253.16" in text


def test_export_360giving_writes_valid_files_in_each_format(journey, tmp_path):
    from sgfund.io.threesixtygiving import read_360giving

    written = journey.json(
        "export",
        "360giving",
        "mayor-gr1",
        "--format",
        "json",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path),
        "--prefix",
        "360G-example",
        "--publisher",
        "Example",
        "--as-of",
        "2022-04-01",
    )
    names = sorted(Path(p).name for p in written["files"])
    assert names == ["mayor-gr1-xi-sgfund-wyca.json", "mayor-gr1-xi-sgfund-wyca.xlsx"]
    assert written["grants"] == {"XI-SGFUND-WYCA": 39}
    for path in written["files"]:
        grants = read_360giving(path)
        assert len(grants.records) == 39 and not grants.problems
        assert all(r.data["id"].startswith("360G-example-") for r in grants.records)


def test_export_360giving_publishes_under_the_fund_files_publisher(journey, tmp_path):
    from sgfund.io.threesixtygiving import read_360giving

    written = journey.json("export", "360giving", "mayor-gr1", "--out", str(tmp_path))
    (path,) = written["files"]
    grants = read_360giving(path)
    assert all(r.data["id"].startswith("360G-sgfund-example-wyca-") for r in grants.records)
    assert grants.metadata["publisher"]["name"].startswith("West Yorkshire Combined Authority")


@pytest.mark.parametrize(
    ("table", "rows"), [("transparency", 39), ("applications", 54), ("awards", 39)]
)
def test_export_tables(journey, tmp_path, table, rows):
    out = tmp_path / f"{table}.csv"
    expected = {"files": [str(out)]} | ({"unclosed": []} if table == "transparency" else {})
    assert journey.json("export", table, "mayor-gr1", "--out", str(out)) == expected
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == rows + 1


@pytest.mark.parametrize("table", ["transparency", "applications", "awards"])
@pytest.mark.parametrize("name", ["t.pdf", "t.json", "t"])
def test_export_tables_refuse_a_name_not_csv_or_xlsx_and_write_nothing(
    journey, tmp_path, table, name
):
    out = tmp_path / name
    refused = journey.run("export", table, "mayor-gr1", "--out", str(out), code=1)
    assert refused.stderr.startswith(
        f"sgfund: out: expected a file name ending .csv or .xlsx, got '{out}'"
    )
    assert refused.stdout == "" and not out.exists()


REFUSED_DECIDED = (
    "1 round(s) not closed, whose figures are provisional: mayor-gr1 (decided); close each "
    "round first, or publish them marked as provisional with --include-unclosed"
)


def test_exporting_open_data_of_a_round_not_yet_closed_is_refused_and_writes_nothing(journey):
    for key, what in (
        ("export-decided", "open data"),
        ("transparency-decided", "the transparency table"),
    ):
        refused = journey.results[key]
        assert refused.stderr.startswith(f"sgfund: not publishing {what}: {REFUSED_DECIDED}")
        assert refused.stdout == "" and "Traceback" not in refused.stderr
        assert not journey.results[f"{key}-wrote"]
    # The officers' own tables are not published data: any round, no warning.
    assert journey.results["applications-decided"]["files"]


def test_include_unclosed_publishes_with_a_warning_and_a_mark(journey):
    warning = (
        "sgfund: warning: round mayor-gr1 is decided, not closed: its figures are provisional\n"
    )
    forced = journey.results["export-decided-forced"]
    assert forced.stderr == warning
    shape = json.loads(forced.stdout)
    assert shape["unclosed"] == [{"round": "mayor-gr1", "state": "decided"}]
    assert shape["grants"] == {"XI-SGFUND-WYCA": 39} and len(shape["files"]) == 1
    table = journey.results["transparency-decided-forced"]
    assert table.stderr == warning
    assert json.loads(table.stdout)["unclosed"] == [{"round": "mayor-gr1", "state": "decided"}]


def test_a_closed_rounds_export_carries_no_mark(journey, tmp_path):
    written = journey.run("export", "360giving", "mayor-gr1", "--out", str(tmp_path), "--json")
    assert json.loads(written.stdout)["unclosed"] == [] and written.stderr == ""


def test_publish_from_python_refuses_each_unclosed_round_by_name(journey, tmp_path):
    from sgfund.errors import RoundsNotClosed
    from sgfund.examples_scf import ENTRY_POINTS
    from sgfund.ledger import Ledger
    from sgfund.lifecycle import RoundState
    from sgfund.manager import make_plugin_manager
    from sgfund.workflow import publish

    pm = make_plugin_manager(entry_points=ENTRY_POINTS)
    args = {"pm": pm, "as_of": date(2022, 4, 1), "scope_id": "gr1-gr2", "label": "GR1 and GR2"}
    with Ledger.open(journey.db) as ledger:
        with pytest.raises(RoundsNotClosed) as refused:
            publish(ledger, ["mayor-gr1", "mayor-gr2"], tmp_path / "out", **args)
        assert refused.value.rounds == {"mayor-gr2": "draft"}
        assert not (tmp_path / "out").exists()
        published = publish(
            ledger, ["mayor-gr1", "mayor-gr2"], tmp_path / "out", include_unclosed=True, **args
        )
    assert published.unclosed == {"mayor-gr2": RoundState.DRAFT}
    assert published.total_grants == 39


def test_audit_verify_checks_the_ledger_and_anchors(journey):
    anchor = journey.results["close"]["anchor"]
    report = journey.json("audit", "verify", "--anchor", anchor)
    assert report["ok"] and report["anchors_checked"] == 1 and report["problems"] == []
    assert "the chain is whole" in journey.run("audit", "verify").stdout


def test_audit_verify_exits_1_on_an_anchor_not_in_the_chain(journey):
    fake = "sgfund-anchor:v1:3:" + "0" * 64
    result = journey.run("audit", "verify", "--anchor", fake, code=1)
    assert str(journey.db) in result.stderr
    report = journey.json("audit", "verify", "--anchor", fake, code=1)
    assert not report["ok"] and report["problems"]


def test_plugins_lists_rules_with_versions_and_who_gave_them(journey):
    listing = journey.json("plugins", "--round", "mayor-gr1")
    assert listing["round"] == "mayor-gr1"
    assert {"name": "westyorkshire"}.items() <= {
        k: v for p in listing["plugins"] if p["name"] == "westyorkshire" for k, v in p.items()
    }.items()
    rules = {r["id"]: r for r in listing["rules"]}
    assert rules["submitted-in-window"]["plugin"] == "sgfund.plugins.rules"
    assert rules["submitted-in-window"]["version"]
    assert listing["vocabularies"][0]["id"] == "wy-safeguarding"
    assert listing["checks"] and listing["areas"] and listing["classifiers"]
    assert "## Eligibility rules" in journey.run("plugins").stdout


def test_criteria_are_markdown_from_the_rounds_rules(journey):
    text = journey.run("criteria", "mayor-gr2").stdout
    assert text.startswith("# Mayor's Safer Communities Fund, Grant Round 2: eligibility criteria")
    assert "- Largest grant: £6,000.00" in text
    assert "- Closes: 10 June 2022 12:00 (UK time)" in text
    assert "**submitted-in-window** (version 2" in text
    assert journey.json("criteria", "mayor-gr2")["markdown"] == text


def test_a_bad_sheet_lists_every_problem_located_and_writes_nothing(journey, tmp_path):
    lines = (DATA / "mayor-gr1.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = tmp_path / "bad.csv"
    lines[1] = lines[1].replace('"£6,000.00"', "lots", 1)
    lines[2] = lines[2].replace("01/04/2022", "31/02/2022", 1)
    bad.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    result = journey.run("import", str(bad), code=1)
    problems = result.stderr.splitlines()
    assert problems[0].startswith(f"{bad}:2:Amount requested: ")
    assert problems[1].startswith(f"{bad}:3:Project start: ")
    assert "nothing was imported" in problems[-1]
    assert "Traceback" not in result.stderr
    rounds = {r["id"]: r for r in journey.json("rounds")["rounds"]}
    assert rounds["mayor-gr1"]["applications"] == 54


def test_a_bad_mapping_file_lists_every_problem_at_its_line(journey, tmp_path):
    mapping = tmp_path / "layout.toml"
    mapping.write_text(
        'notes = ["Notes"]\n\n[columns]\nproject_titel = "Title"\n\n'
        '[constants]\nround_id = "mayor-gr2"\namount_requested = 12.5\n',
        encoding="utf-8",
    )
    result = journey.run("import", str(DATA / "mayor-gr1.csv"), "--mapping", str(mapping), code=1)
    first, second, summary = result.stderr.splitlines()
    assert first.startswith(f"{mapping}:4: 'project_titel' in columns is not a canonical column")
    assert second == (
        f"{mapping}:8: the constant for amount_requested is not a value a cell could hold "
        '(expected text (or a TOML date) such as "mayor-gr2" or "06/10/2022")'
    )
    assert summary == "sgfund: the column mapping is not valid"


def test_resolving_what_was_not_referred_is_refused(journey):
    result = journey.run("referrals", "resolve", "GR1-001", "--eligible", "--reason", "x", code=1)
    assert result.stderr == (
        "sgfund: application 'GR1-001' is not referred: only referred applications are "
        "resolved by an officer\n"
    )
    wrong_round = journey.run(
        "referrals",
        "resolve",
        "GR1-008",
        "--round",
        "mayor-gr2",
        "--eligible",
        "--reason",
        "x",
        code=1,
    )
    assert "is not referred in round 'mayor-gr2'" in wrong_round.stderr


def test_expected_errors_exit_1_without_a_traceback_unless_debug(journey):
    result = journey.run("assess", "no-such-round", code=1)
    assert result.stderr == "sgfund: round 'no-such-round' is not in the ledger\n"
    debug = journey.runner.invoke(cli, ["--db", str(journey.db), "--debug", "assess", "nope"])
    assert debug.exit_code == 1 and debug.exception is not None


def test_a_missing_ledger_is_an_error_not_a_new_file(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "rounds"])
    assert result.exit_code == 1 and "there is no ledger here" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_an_empty_file_is_refused_as_a_ledger_and_left_empty(tmp_path):
    empty = tmp_path / "applications.csv"
    empty.touch()
    result = CliRunner().invoke(cli, ["--db", str(empty), "rounds"])
    assert result.exit_code == 1
    assert result.stderr == f"sgfund: {empty}: the file is empty, not an sgfund ledger\n"
    assert empty.read_bytes() == b""


def test_the_ledger_comes_from_sgfund_db_when_no_option_is_given(journey):
    result = CliRunner().invoke(cli, ["rounds", "--json"], env={"SGFUND_DB": str(journey.db)})
    assert result.exit_code == 0 and json.loads(result.stdout)["rounds"]


@pytest.mark.parametrize(
    "args",
    [
        ["assess"],  # a missing argument
        ["referrals", "resolve", "X", "--reason", "r"],  # neither --eligible nor --ineligible
        ["import", "x.csv", "--as-of", "31/02/2022"],  # not a date
        ["no-such-command"],
        [
            "export",
            "360giving",
            "mayor-gr1",
            "--format",
            "pdf",
            "--prefix",
            "p",
            "--publisher",
            "n",
        ],
    ],
)
def test_usage_errors_exit_2(journey, args):
    result = journey.runner.invoke(cli, ["--db", str(journey.db), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_no_color_turns_colour_off(journey):
    result = journey.runner.invoke(
        cli, ["--db", str(journey.db), "assess", "nope"], env={"NO_COLOR": "1"}, color=True
    )
    assert result.exit_code == 1 and "\x1b[" not in result.stderr
    coloured = journey.runner.invoke(cli, ["--db", str(journey.db), "assess", "nope"], color=True)
    assert "\x1b[31m" in coloured.stderr
