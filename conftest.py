"""sgfund's own test runs use the fast hypothesis profile unless told otherwise (CI says ``ci``)."""

import os

# Read by sgfund's pytest plugin (sgfund.testing.pytest_plugin) when pytest configures itself.
os.environ.setdefault("SGFUND_HYPOTHESIS_PROFILE", "dev")
