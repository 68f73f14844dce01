"""Where the project's files live."""

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_DIR = PACKAGE_ROOT / "weights"
SAMPLE_FILE = WEIGHTS_DIR / "sample.npz"
