"""``python -m sgfund``: the command line."""

from sgfund.cli import main

main()
