"""Which plugins judge a fund's rounds: the fund file names them, --plugins overrides.

A plugin installed for something else (here one that refers every application) must not
change what the command line finds for a fund whose fund file names its plugins.
"""

import json
import re
import sys
import textwrap

import pytest
from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.examples_scf import ENTRY_POINTS, example_dir
from sgfund.fundfile import FundFileError, load_fund_file, loads_fund_file

DATA = example_dir()
FUND_FILE = DATA / "fund.toml"
SHEET = DATA / "mayor-gr2.csv"
MAPPING = DATA / "mayor-gr2.mapping.toml"
# The three GR2 applications the example data is built to have referred (see the README tour).
GR2_REFERRED = ["GR2-006", "GR2-012", "GR2-064"]

REFER_ALL = """
from sgfund import Rule, hookimpl, refer


def always(app, round, as_of):
    return refer("this plugin refers everything")


@hookimpl
def sgfund_eligibility_rules(round):
    return [Rule(id="refer-everything", version="1", description="Refers all.", check=always)]
"""


@pytest.fixture
def refer_all(tmp_path, monkeypatch):
    """A plugin that refers every application, installed as pip would (entry point "referall")."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sgfund_test_refer_all.py").write_text(textwrap.dedent(REFER_ALL))
    info = site / "sgfund_test_refer_all-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sgfund-test-refer-all\nVersion: 9.9\n"
    )
    (info / "entry_points.txt").write_text("[sgfund]\nreferall = sgfund_test_refer_all\n")
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("sgfund_test_refer_all", None)


def run(db, *args, code=0, env=None):
    result = CliRunner().invoke(
        cli, ["--db", str(db), *args], env={"SGFUND_ACTOR": "officer-a", **(env or {})}
    )
    assert result.exit_code == code, (args, result.output, result.stderr)
    return result


def assessed(db, fund_file=FUND_FILE, *before, env=None):
    """Set the fund up, import GR2's sheet and assess it; the assessment's JSON."""
    run(db, *before, "init", str(fund_file), "--as-of", "2022-05-01", env=env)
    run(
        db,
        *before,
        "import",
        str(SHEET),
        "--mapping",
        str(MAPPING),
        "--as-of",
        "2022-06-10T15:00",
        env=env,
    )
    out = run(db, *before, "assess", "mayor-gr2", "--as-of", "2022-06-20T10:00", "--json", env=env)
    return json.loads(out.stdout)


def test_the_example_fund_file_names_the_plugins_the_library_examples_use():
    assert load_fund_file(FUND_FILE).plugins == ENTRY_POINTS


def test_a_plugin_the_fund_file_does_not_name_changes_nothing(tmp_path, refer_all):
    result = assessed(tmp_path / "fund.db")
    assert result["referred"] == GR2_REFERRED
    assert "refer-everything" not in result["rule_versions"]
    listing = json.loads(run(tmp_path / "fund.db", "plugins", "--json").stdout)
    assert listing["in_use"] == {"names": ["westyorkshire"], "source": "fund file"}
    # Other plugins may be installed too (sgfund's suite is also run beside other plugins).
    assert "referall" in listing["installed_not_in_use"]
    assert "westyorkshire" not in listing["installed_not_in_use"]
    assert "referall" not in {p["name"] for p in listing["plugins"]}
    text = run(tmp_path / "fund.db", "plugins").stdout
    assert "Plugins in use: westyorkshire (and sgfund's built-ins): as the fund file names" in text
    assert re.search(r"Installed but not in use: .*\breferall\b", text)


def test_plugins_option_and_environment_choose_instead_of_the_fund_file(tmp_path, refer_all):
    every = assessed(tmp_path / "all.db", FUND_FILE, "--plugins", "all")
    assert every["counts"]["refer"] == sum(every["counts"].values()) > len(GR2_REFERRED)
    assert every["rule_versions"]["refer-everything"] == "1"
    named = assessed(tmp_path / "env.db", env={"SGFUND_PLUGINS": "westyorkshire, referall"})
    assert named["referred"] == every["referred"]
    pending = run(tmp_path / "env.db", "referrals", "--pending").stdout
    assert "refer-everything v1 (plugin referall)" in pending


def test_a_plugin_named_but_not_installed_is_an_error_naming_those_installed(tmp_path, refer_all):
    db = tmp_path / "fund.db"
    run(db, "init", str(FUND_FILE), "--as-of", "2022-05-01")
    failed = run(db, "--plugins", "westyorkshire,nosuch", "plugins", code=1)
    assert "--plugins names plugin(s) 'nosuch', not installed" in failed.stderr
    installed = re.search(r"installed: ([^)]*)\)", failed.stderr)[1].split(", ")
    assert {"referall", "westyorkshire"} <= set(installed) and "nosuch" not in installed
    assert "Traceback" not in failed.output
    text = FUND_FILE.read_text(encoding="utf-8").replace(
        'plugins = ["westyorkshire"]', 'plugins = ["westyorkshire", "nosuch"]'
    )
    edited = tmp_path / "fund.toml"
    edited.write_text(text, encoding="utf-8")
    other = tmp_path / "other.db"
    init = run(other, "init", str(edited), "--as-of", "2022-05-01")
    assert "names plugin(s) 'nosuch', not installed here" in init.stderr
    refused = run(other, "plugins", code=1)
    assert "the fund file names plugin(s) 'nosuch', not installed" in refused.stderr
    assert (
        "Plugins in use: every installed plugin" in run(other, "--plugins", "all", "plugins").stdout
    )


def test_a_fund_file_that_names_no_plugins_uses_every_installed_one_and_init_says_so(
    tmp_path, refer_all
):
    text = FUND_FILE.read_text(encoding="utf-8").replace('plugins = ["westyorkshire"]\n', "")
    unnamed = tmp_path / "fund.toml"
    unnamed.write_text(text, encoding="utf-8")
    db = tmp_path / "fund.db"
    init = run(db, "init", str(unnamed), "--as-of", "2022-05-01")
    assert "names no plugins: every installed plugin judges its rounds" in init.stderr
    run(db, "import", str(SHEET), "--mapping", str(MAPPING), "--as-of", "2022-06-10T15:00")
    result = json.loads(
        run(db, "assess", "mayor-gr2", "--as-of", "2022-06-20T10:00", "--json").stdout
    )
    assert result["rule_versions"]["refer-everything"] == "1"
    assert len(result["referred"]) == sum(result["counts"].values())


def test_an_empty_list_means_sgfunds_built_ins_only(tmp_path, refer_all):
    text = FUND_FILE.read_text(encoding="utf-8").replace(
        'plugins = ["westyorkshire"]', "plugins = []"
    )
    builtins = tmp_path / "fund.toml"
    builtins.write_text(text, encoding="utf-8")
    db = tmp_path / "fund.db"
    run(db, "init", str(builtins), "--as-of", "2022-05-01")
    # The example rounds name West Yorkshire's vocabulary: with no plugin, nothing gives it.
    missing = run(db, "plugins", code=1).stderr
    assert "theme vocabulary 'wy-safeguarding', which no registered plugin gives" in missing
    # With no ledger (so no round), the listing shows the built-ins alone.
    listing = json.loads(run(tmp_path / "none.db", "--plugins", "none", "plugins", "--json").stdout)
    assert listing["in_use"] == {"names": [], "source": "--plugins"}
    assert {"referall", "westyorkshire"} <= set(listing["installed_not_in_use"])
    names = [p["name"] for p in listing["plugins"]]
    assert names and all(name.startswith("sgfund.plugins.") for name in names), names


def test_changing_the_named_plugins_is_shown_as_a_change_with_its_line(tmp_path):
    db = tmp_path / "fund.db"
    run(db, "init", str(FUND_FILE), "--as-of", "2022-05-01")
    lines = FUND_FILE.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("plugins ="))
    lines[line - 1] = "plugins = []"
    edited = tmp_path / "fund.toml"
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    changes = json.loads(run(db, "init", str(edited), "--dry-run", "--json").stdout)
    assert {
        "what": "fund",
        "id": "wy-scf",
        "field": "plugins",
        "old": "westyorkshire",
        "new": "sgfund's built-ins only",
        "line": line,
    } in changes["changed"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"westyorkshire"', 'expected a list of text, such as ["westyorkshire"]'),
        ('["west yorkshire"]', "'west yorkshire' is not a plugin's entry-point name"),
        ('["westyorkshire", "westyorkshire"]', "plugin 'westyorkshire' is named twice"),
        ("[1]", "expected a list of text"),
    ],
)
def test_a_bad_plugins_list_is_refused_with_its_line(value, message):
    text = FUND_FILE.read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("plugins ="))
    bad = text.replace('plugins = ["westyorkshire"]', f"plugins = {value}")
    with pytest.raises(FundFileError) as refused:
        loads_fund_file(bad, path="fund.toml")
    assert any(p.row == line and message in str(p) for p in refused.value.problems), (
        refused.value.lines()
    )


def test_a_refused_fund_file_lists_each_problem_once_then_counts_them(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[fund]\nid = "x"\nname = "X"\nplugins = "westyorkshire"\n', encoding="utf-8")
    result = run(tmp_path / "fund.db", "init", str(bad), code=1)
    lines = result.stderr.splitlines()
    assert lines[-1] == f"sgfund: {bad}: 2 problem(s)"
    assert len(lines) == 3 and len(set(lines)) == 3, lines
    assert any(line.startswith(f"{bad}:4: fund.plugins:") for line in lines)
