"""`python -m aecore.train`: see `aecore.training.train`."""

import sys

from aecore.training.train import main

if __name__ == "__main__":
    sys.exit(main())
