"""`python -m aecore.evaluate`: see `aecore.training.evaluate`."""

import sys

from aecore.training.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
