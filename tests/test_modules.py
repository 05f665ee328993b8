"""docs/modules.md names every module of sgfund once, as public or private, and nothing else."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "modules.md").read_text(encoding="utf-8")
SRC = ROOT / "src"


def modules():
    found = set()
    for path in (SRC / "sgfund").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def documented():
    rows = [line for line in DOC.splitlines() if line.startswith("| `sgfund")]
    names = []
    for row in rows:
        first_cell = row.split("|")[1]
        names += re.findall(r"`(sgfund(?:\.\w+)*)`", first_cell)
    return names


def test_every_module_is_on_the_map_once():
    names = documented()
    assert len(names) == len(set(names)), "a module is listed twice"
    assert set(names) == modules()


def test_the_map_says_public_or_private():
    public, private = DOC.split("## Private")
    assert "`sgfund._validate`" in private and "`sgfund._validate`" not in public
    assert "`sgfund.examples_scf`" in public


REGIONAL = ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield", "West Yorkshire")


def test_no_regional_data_outside_the_example_data_module():
    example = SRC / "sgfund" / "examples_scf.py"
    found = [
        f"{path.relative_to(SRC)}: {word}"
        for path in sorted((SRC / "sgfund").rglob("*"))
        if path.is_file() and path.suffix in {".py", ".json", ".csv", ".toml"} and path != example
        for word in (*REGIONAL, "E08000032", "E08000036", "wy-safeguarding")
        if word in path.read_text(encoding="utf-8")
    ]
    assert found == []
    assert all(word in example.read_text(encoding="utf-8") for word in REGIONAL[:5])


def _plugin_words():
    """Everything West Yorkshire's plugin brings, read from the plugin itself."""
    import sgfund_westyorkshire as wy
    from sgfund_westyorkshire.tables import postcode_districts

    vocabulary = wy.SAFEGUARDING_THEMES
    words = {vocabulary.id, *wy.FUND_IDS, wy.DISTRICTS.id}
    words |= {t.slug for t in vocabulary.themes} | {t.label for t in vocabulary.themes}
    words |= {a.name for a in wy.DISTRICTS.areas} | {a.code for a in wy.DISTRICTS.areas}
    # Outward codes as a postcode writes them ("HX1 1AA"), not as parts of other words.
    postcodes = {rf"\b{code} \d[A-Z]{{2}}\b" for code in postcode_districts()}
    return words, re.compile("|".join(sorted(postcodes)))


def test_no_data_of_the_regional_plugin_in_the_core():
    # Themes, districts, codes, fund ids and postcodes of the region live in its plugin; the
    # core's examples and aliases are generic. Only the named example data may use them.
    words, postcodes = _plugin_words()
    example = SRC / "sgfund" / "examples_scf.py"
    found = []
    for path in sorted((SRC / "sgfund").rglob("*")):
        if not path.is_file() or path.suffix not in {".py", ".json", ".csv", ".toml"}:
            continue
        if path == example:
            continue
        text = path.read_text(encoding="utf-8")
        lower = text.lower()
        found += [f"{path.relative_to(SRC)}: {w}" for w in sorted(words) if w.lower() in lower]
        found += [f"{path.relative_to(SRC)}: {m[0]}" for m in postcodes.finditer(text)]
    assert found == []
