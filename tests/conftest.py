import importlib.util
import itertools
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sgfund import Application, Organisation, OrgType, london
from sgfund.examples_scf import GR2
from sgfund.testing.postgres import ClusterUnavailable, throwaway_cluster


@pytest.fixture
def sample_app() -> Application:
    return Application(
        id="GR2-001",
        round_id=GR2.id,
        organisation=Organisation(
            name="Calder Valley Refuge",
            type=OrgType.REGISTERED_CHARITY,
            charity_number="1990001",
            postcode="hx1 1aa",
            district="Calderdale",
        ),
        title="Safe at home",
        summary="Support for survivors of domestic abuse",
        amount_requested="£5,950.00",
        project_start=date(2022, 11, 1),
        project_end=date(2023, 10, 31),
        submitted_at=london(2022, 6, 1, 14, 30),
        declared_themes={"domestic-abuse", "stalking-harassment"},
    )


ROOT = Path(__file__).resolve().parents[1]


def readme_main_command() -> list[str]:
    """The sgfund command the README's main command ends with, as arguments after 'sgfund'."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- main-command -->\s*```\w*\n(.*?)```", readme, re.S)
    assert match, "README.md has no main command"
    program, *args = match.group(1).strip().split("&&")[-1].split()
    assert program == ".venv/bin/sgfund", program
    return args


@pytest.fixture(scope="session")
def main_job_run(tmp_path_factory):
    """The README's main command run once, in an empty folder: (stdout, folder).

    It runs through this interpreter (``python -m sgfund``), the same program the console
    script starts; the slow test runs the README's line itself in a fresh environment.
    """
    folder = tmp_path_factory.mktemp("main-job")
    result = subprocess.run(
        [sys.executable, "-m", "sgfund", *readme_main_command()],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    return result.stdout, folder


# --- ledger backends: SQLite files and a throwaway PostgreSQL cluster -----------------------
# The ledger tests run against both backends through `ledger_at`. PostgreSQL comes from
# $SGFUND_TEST_POSTGRES (a server URL whose user may create schemas and roles), else from a
# cluster this session starts with initdb and pg_ctl (Debian: apt install postgresql-15; as
# root, run as the postgres user) on a Unix socket in a temporary directory, stopped at the end.
# Without either, the PostgreSQL cases skip saying how to run them; with CI=true they fail.

PG_ENV = "SGFUND_TEST_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


def _pg_unavailable(reason: str):
    message = (
        f"PostgreSQL ledger tests need a server: {reason}. Install PostgreSQL 15 or newer "
        f"(initdb and pg_ctl, e.g. Debian's postgresql-15) or set {PG_ENV}=postgresql://..."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: a skipped PostgreSQL test is a failure)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL URL for the session (a server named by $SGFUND_TEST_POSTGRES, or a
    throwaway cluster in a temporary directory)."""
    if importlib.util.find_spec("psycopg") is None:
        _pg_unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    given = os.environ.get(PG_ENV)
    if given:
        yield given
        return
    try:
        with throwaway_cluster() as url:
            yield url
    except ClusterUnavailable as err:
        _pg_unavailable(str(err))


_schemas = itertools.count(1)


def pg_schema_url(base: str, schema: str | None = None) -> str:
    """A new, empty schema on the server at ``base``, as a URL whose search_path is it."""
    import psycopg

    name = schema or f"t{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{name}"


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Each ledger test runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def ledger_at(backend, request, tmp_path):
    """``ledger_at("name.db")``: a new ledger location on this test's backend."""
    if backend == "sqlite":
        return lambda name="ledger.db": str(tmp_path / name)
    base = request.getfixturevalue("pg_cluster")
    made: dict[str, str] = {}

    def location(name="ledger.db"):
        if name not in made:
            made[name] = pg_schema_url(base)
        return made[name]

    return location


_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
_worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_worker)


@pytest.fixture
def raw_sql():
    """Plain SQL on a ledger's storage (SQLite or PostgreSQL), as anyone with access could."""
    return _worker.RawSQL()


@pytest.fixture
def pg_url(pg_cluster):
    """A new, empty schema on the session's PostgreSQL server, as a ledger URL."""
    return pg_schema_url(pg_cluster)
