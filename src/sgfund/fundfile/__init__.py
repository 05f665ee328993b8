"""The fund file: a fund, its eras and publishers, rounds and declared figures, in TOML.

`load_fund_file` reads and checks one (every problem as ``path:line: message``);
`apply_fund_file` stores it in the ledger, audited, and `diff_fund_file` says what applying
it would change. See docs/fund-file.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sgfund.fundfile.load import (
    MAX_FUND_FILE_BYTES,
    FundFile,
    FundFileError,
    load_fund_file,
    loads_fund_file,
)

if TYPE_CHECKING:
    from sgfund.fundfile.ledger import (
        Change,
        FundFileChanges,
        FundFileRefused,
        apply_fund_file,
        diff_fund_file,
        stored_fund_file,
    )

__all__ = [
    "MAX_FUND_FILE_BYTES",
    "Change",
    "FundFile",
    "FundFileChanges",
    "FundFileError",
    "FundFileRefused",
    "apply_fund_file",
    "diff_fund_file",
    "load_fund_file",
    "loads_fund_file",
    "stored_fund_file",
]

# The ledger side is imported on first use: reading a fund file needs no database.
_LEDGER_NAMES = frozenset(
    {
        "Change",
        "FundFileChanges",
        "FundFileRefused",
        "apply_fund_file",
        "diff_fund_file",
        "stored_fund_file",
    }
)


def __getattr__(name: str) -> Any:
    if name in _LEDGER_NAMES:
        from sgfund.fundfile import ledger

        return getattr(ledger, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
