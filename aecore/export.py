"""`python -m aecore.export`: see `aecore.training.export`."""

import sys

from aecore.training.export import main

if __name__ == "__main__":
    sys.exit(main())
