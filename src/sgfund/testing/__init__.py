"""Tools for testing sgfund and its plugins (see docs/plugins.md, "Testing kit").

`sgfund.testing.builders` builds valid objects without hypothesis (``ROUND``, ``round``,
``application``, ``organisation``); `sgfund.testing.strategies` generates every model and
`sgfund.testing.contract` checks a rule or classifier keeps the contract (both need hypothesis,
from the ``test`` extra). The pytest plugin (`sgfund.testing.pytest_plugin`) registers itself
through the ``pytest11`` entry point and gives the ``sgfund_*`` fixtures.
"""
