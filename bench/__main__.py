"""`python -m bench` (`make bench`): the benchmark suite, see bench/suite.py."""

import sys

from bench.suite import main

if __name__ == "__main__":
    sys.exit(main())
