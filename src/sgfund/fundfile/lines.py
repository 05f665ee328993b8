"""Where each key of a fund file is written: `sgfund._keylines`, under its older name.

The scan lives in `sgfund._keylines`, below both the fund file and the mapping files of
`sgfund.io`; this module keeps ``from sgfund.fundfile.lines import KeyLines`` working.
"""

from __future__ import annotations

from sgfund._keylines import KeyLines, Path

__all__ = ["KeyLines", "Path"]
