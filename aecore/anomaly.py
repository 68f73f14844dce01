"""`python -m aecore.anomaly`: see `aecore.training.anomaly`."""

import sys

from aecore.training.anomaly import main

if __name__ == "__main__":
    sys.exit(main())
