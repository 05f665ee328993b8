"""The reference data shipped with the tests is the shared reference, byte for byte.

Tests read the copy in tests/data/reference, so a fresh clone runs them all. Where the shared
reference folder is beside the checkout, this test proves the copy has not drifted from it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHIPPED = Path(__file__).resolve().parent / "data" / "reference"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_shipped_copy_holds_what_the_tests_read():
    files = _files(SHIPPED)
    for name in (
        "360giving/360-giving-schema.json",
        "360giving/360-giving-package-schema.json",
        "360giving/derived/field-titles.csv",
        "360giving/SOURCE.md",
        "scf/declared-figures.csv",
        "scf/SOURCE.md",
    ):
        assert files.get(name), name
    assert any(name.startswith("360giving/examples/") for name in files)


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared reference folder not beside this checkout")
def test_the_shipped_copy_is_the_shared_reference():
    shared = _files(SHARED)
    for name, content in _files(SHIPPED).items():
        assert shared.get(name) == content, name
