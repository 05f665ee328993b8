"""`import sgfund` is cheap: public names resolve on first use, heavy modules load when needed."""

import ast
import json
import subprocess
import sys

import sgfund

HEAVY = (
    "openpyxl",
    "jsonschema",
    "jsonschema_rs",
    "msgspec",
    "polars",
    "sqlite3",
    "_sqlite3",
    "pluggy",
    "cattrs",
    "dateutil",
    "importlib.metadata",
    "sgfund.ledger",
    "sgfund.io",
)


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_sgfund_loads_no_heavy_module():
    loaded = _modules_after("import sgfund")
    assert sorted(name for name in HEAVY if name in loaded) == []
    assert sorted(name for name in loaded if name.startswith("sgfund.")) == []


def test_money_alone_does_not_load_the_ledger_or_the_importer():
    loaded = _modules_after("import sgfund\nsgfund.parse_money('12.50', field='amount')")
    assert "sgfund.money" in loaded
    assert not {"sgfund.ledger", "sgfund.io.importer", "sqlite3", "openpyxl"} & loaded


def test_every_public_name_resolves_and_is_listed():
    for name in sgfund.__all__:
        assert getattr(sgfund, name) is not None, name
    assert set(sgfund.__all__) <= set(dir(sgfund))
    assert len(sgfund.__all__) == len(set(sgfund.__all__))


def test_public_names_are_the_objects_of_their_modules():
    from sgfund.ledger import Ledger
    from sgfund.money import parse_money
    from sgfund.reconcile import reconcile

    assert sgfund.Ledger is Ledger
    assert sgfund.parse_money is parse_money
    # the submodule of the same name does not hide the function once it is loaded
    assert sgfund.reconcile is reconcile


def test_star_import_gives_every_public_name():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sgfund import *\nprint(sorted(k for k in dir() if k[0] != '_'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert {name for name in sgfund.__all__ if not name.startswith("_")} <= set(
        ast.literal_eval(out)
    )


def test_an_unknown_name_is_an_attribute_error():
    try:
        sgfund.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("expected AttributeError")
