"""Tools for testing sgfund and its plugins: hypothesis strategies and a pytest plugin.

Import `sgfund.testing.strategies` for generators of valid models (needs hypothesis,
from the ``test`` extra). The pytest plugin registers itself through the ``pytest11``
entry point.
"""
