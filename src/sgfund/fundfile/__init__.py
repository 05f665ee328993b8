"""The fund file: a fund, its eras and publishers, rounds and declared figures, in TOML.

`load_fund_file` reads and checks one (every problem as ``path:line: message``);
`apply_fund_file` stores it in the ledger, audited, and `diff_fund_file` says what applying
it would change. See docs/fund-file.md.
"""

from __future__ import annotations

from sgfund.fundfile.load import (
    MAX_FUND_FILE_BYTES,
    FundFile,
    FundFileError,
    load_fund_file,
    loads_fund_file,
)

__all__ = [
    "MAX_FUND_FILE_BYTES",
    "FundFile",
    "FundFileError",
    "load_fund_file",
    "loads_fund_file",
]
