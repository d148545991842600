"""Entry point of the frozen app: the same ``main`` as the ``viewra-desktop`` console script."""

import sys

from viewra_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
