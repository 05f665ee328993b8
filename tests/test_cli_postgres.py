"""The command line on a PostgreSQL ledger: ``--db postgresql://...`` takes a round from its
sheets to closed and verified, and ``sgfund db`` initialises, copies and prints the roles.
"""

import importlib.util
import json
from pathlib import Path

from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.ledger import verify_file

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
_spec = importlib.util.spec_from_file_location(
    "cli_journey", Path(__file__).with_name("test_cli_commands.py")
)
assert _spec and _spec.loader
journey = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(journey)
FUND_FILE = journey.FUND_FILE


def _run(url, *args, code=0):
    result = CliRunner().invoke(cli, ["--db", url, *args], env={"SGFUND_ACTOR": "officer-a"})
    assert result.exit_code == code, (args, result.output, result.stderr)
    return result


def test_a_round_from_sheets_to_closed_on_postgresql(pg_url, tmp_path):
    assert "there is no ledger here" in _run(pg_url, "rounds", code=1).stderr
    assert json.loads(_run(pg_url, "db", "init", "--json").stdout)["head"] is None
    _run(pg_url, "init", str(FUND_FILE), "--as-of", "2021-11-01")
    apps, panel = journey.split_sheet(tmp_path)
    _run(pg_url, "import", str(apps), "--as-of", "2021-12-17T14:00")
    _run(pg_url, "assess", "mayor-gr1", "--as-of", "2021-12-17T15:00")
    _run(pg_url, "decide", str(panel), "--round", "mayor-gr1", "--as-of", "2022-03-01T10:00")
    for ref, verdict, reason in (
        ("GR1-041", "--ineligible", "Refreshments, which the fund does not pay for."),
        ("GR1-008", "--eligible", "Otley is in Leeds."),
    ):
        _run(
            pg_url,
            "referrals",
            "resolve",
            ref,
            verdict,
            "--reason",
            reason,
            "--as-of",
            "2022-03-01T11:30",
        )
    # Awards follow the referrals' resolution (an approved referral cannot be awarded before).
    _run(pg_url, "award", "mayor-gr1", "--as-of", "2022-03-01T12:00")
    closed = json.loads(
        _run(pg_url, "close", "mayor-gr1", "--as-of", "2022-03-01T12:00", "--json").stdout
    )
    rounds = {r["id"]: r for r in json.loads(_run(pg_url, "rounds", "--json").stdout)["rounds"]}
    assert rounds["mayor-gr1"]["state"] == "closed"
    assert (rounds["mayor-gr1"]["awards"], rounds["mayor-gr1"]["awarded"]) == (39, "208253.16")
    anchor = _run(pg_url, "audit", "anchor", "mayor-gr1").stdout.strip()
    assert anchor == closed["anchor"]
    assert "the chain is whole" in _run(pg_url, "audit", "verify", "--anchor", anchor).stdout

    # Moved to a SQLite file and back into another schema, the anchor verifies on each copy.
    copy = tmp_path / "copy.db"
    moved = json.loads(_run(pg_url, "db", "copy", pg_url, str(copy), "--json").stdout)
    assert moved["ok"] and moved["closed_rounds"] == 1
    assert verify_file(copy, anchor=anchor).ok
    _run(str(copy), "audit", "verify", "--anchor", anchor)


def test_db_copy_into_postgresql_and_refusals(pg_url, tmp_path):
    source = tmp_path / "fund.db"
    _run(str(source), "init", str(FUND_FILE), "--as-of", "2021-11-01")
    text = _run(str(source), "db", "copy", str(source), pg_url).stdout
    assert text.startswith("copied to postgresql://")
    again = _run(str(source), "db", "copy", str(source), pg_url, code=1)
    assert "already holds events" in again.stderr
    assert _run(pg_url, "rounds").stdout.count("mayor-gr1") == 1


def test_db_roles_prints_the_sql_and_refuses_odd_names():
    sql = CliRunner().invoke(cli, ["db", "roles", "--prefix", "scf", "--schema", "ledger"])
    assert sql.exit_code == 0
    assert "CREATE ROLE scf_auditor NOLOGIN" in sql.stdout
    assert "GRANT SELECT ON ALL TABLES IN SCHEMA ledger TO scf_auditor" in sql.stdout
    bad = CliRunner().invoke(cli, ["db", "roles", "--prefix", "x; DROP TABLE events"])
    assert bad.exit_code == 2 and "not a plain lower-case SQL name" in bad.stderr


def test_a_password_in_the_url_never_reaches_the_output(tmp_path):
    url = f"postgresql://officer:s3cret@/scf?host={tmp_path}"
    result = CliRunner().invoke(cli, ["--db", url, "rounds"])
    assert result.exit_code == 1
    assert "s3cret" not in result.output + result.stderr
    assert "officer:***@" in result.stderr
