"""Fashion-MNIST: find it, read the IDX files, cache the arrays, the shipped sample."""

from __future__ import annotations

import gzip
import io
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aecore.errors import DatasetNotFound
from aecore.files import atomic_write_bytes
from aecore.paths import SAMPLE_FILE

SIDE = 28                     # every image is SIDE x SIDE grey pixels
IMAGE_SHAPE = (SIDE, SIDE)
PIXELS = SIDE * SIDE
CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
EXPECTED_COUNT = {"x_train": 60000, "y_train": 60000, "x_test": 10000, "y_test": 10000}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_CACHE_DIR = Path.home() / ".keras" / "datasets" / "fashion-mnist"

_MEMORY: dict[str, tuple] = {}


def candidate_dirs() -> list[Path]:
    """Where we look for the four IDX files, in order."""
    dirs = []
    if os.environ.get("FASHION_MNIST_DIR"):
        dirs.append(Path(os.environ["FASHION_MNIST_DIR"]))
    return [*dirs, DEBIAN_DIR, KERAS_CACHE_DIR]


def find_dataset_dir() -> Path | None:
    """First candidate directory that holds all four files, or None."""
    for folder in candidate_dirs():
        if all((folder / name).is_file() for name in FILES.values()):
            return folder
    return None


def read_idx(path: Path, expected_ndim: int, expected_count: int | None = None) -> np.ndarray:
    """Read a gzipped IDX file (uint8), checking its magic number and sizes."""
    try:
        raw = gzip.decompress(path.read_bytes())   # one call: faster than reading a GzipFile
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetNotFound(
            f"{path} is not a readable gzip file ({exc}). Delete it and get the dataset again."
        ) from exc
    header_size = 4 + 4 * expected_ndim
    if len(raw) < header_size:
        raise DatasetNotFound(f"{path} is too short to be an IDX file. Get the dataset again.")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08 or ndim != expected_ndim:
        raise DatasetNotFound(
            f"{path} has a wrong IDX header (expected unsigned bytes in {expected_ndim} "
            "dimensions). It is not a Fashion-MNIST file: get the dataset again."
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    body = np.frombuffer(raw, dtype=np.uint8, offset=header_size)
    if body.size != int(np.prod(shape)):
        raise DatasetNotFound(
            f"{path} is truncated: its header promises {int(np.prod(shape))} bytes of data, "
            f"the file holds {body.size}. Get the dataset again."
        )
    if expected_count is not None and shape[0] != expected_count:
        raise DatasetNotFound(f"{path} holds {shape[0]} items, expected {expected_count}.")
    return body.reshape(shape)


def read_split(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Decode one split ("train" or "test") of a folder: float32 images in [0, 1], int labels."""
    x = read_idx(folder / FILES[f"x_{split}"], 3, EXPECTED_COUNT[f"x_{split}"])
    y = read_idx(folder / FILES[f"y_{split}"], 1, EXPECTED_COUNT[f"y_{split}"])
    images = x.astype(np.float32)
    images /= 255.0   # in place: the same float32 values as x / 255.0, one array fewer
    return images, y.astype(np.int64)


def read_dataset_dir(folder: Path) -> tuple:
    """Decode the four files of one folder into float32 images and int labels."""
    return read_split(folder, "train"), read_split(folder, "test")


def download_with_keras() -> Path:
    """Let Keras download the dataset into its cache (needs internet)."""
    import keras

    keras.datasets.fashion_mnist.load_data()
    if not find_dataset_dir():
        raise DatasetNotFound("Keras downloaded Fashion-MNIST but the files are not in its cache.")
    return KERAS_CACHE_DIR


def not_found_message() -> str:
    return (
        "Fashion-MNIST was not found and could not be downloaded. Get it one of three ways:\n"
        "  1. Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        "  2. Put the four IDX .gz files in a folder and set FASHION_MNIST_DIR to it\n"
        f"  3. With internet: python -c 'import keras; keras.datasets.fashion_mnist.load_data()' "
        f"(files go to {KERAS_CACHE_DIR})"
    )


def load_fashion_mnist(allow_download: bool = True) -> tuple:
    """Return ((x_train, y_train), (x_test, y_test)): float32 images in [0, 1], int labels."""
    folder = find_dataset_dir()
    if folder is None:
        if not allow_download:
            raise DatasetNotFound(not_found_message())
        try:
            folder = download_with_keras()
        except DatasetNotFound:
            raise
        except Exception as exc:
            raise DatasetNotFound(not_found_message()) from exc
    key = str(folder.resolve())
    if key not in _MEMORY:
        _MEMORY[key] = read_dataset_dir(folder)
    return _MEMORY[key]


@dataclass(frozen=True)
class DataSplit:
    """Images (n, 28, 28), labels (n,) and where they came from: 'full' or 'sample'."""

    x: np.ndarray
    y: np.ndarray
    source: str

    @property
    def description(self) -> str:
        if self.source == "full":
            return f"Fashion-MNIST test set ({len(self.x):,} images)"
        return f"shipped sample of the test set ({len(self.x):,} images; dataset not installed)"


def load_sample(path: Path = SAMPLE_FILE) -> DataSplit:
    """The shipped sample of the test set (100 images per class)."""
    if not path.is_file():
        raise DatasetNotFound(not_found_message() + f"\nThe shipped sample {path} is missing too.")
    with np.load(path) as data:
        return DataSplit(data["x"].astype(np.float32) / 255.0, data["y"].astype(np.int64), "sample")


def load_test_set(prefer_full: bool = True) -> DataSplit:
    """The full test set when the dataset is installed, else the shipped sample (no network).

    Reads only the test files: the serving process never holds the 60,000 training images.
    """
    folder = find_dataset_dir() if prefer_full else None
    if folder is None:
        return load_sample()
    key = str(folder.resolve())
    if key in _MEMORY:
        return DataSplit(*_MEMORY[key][1], "full")
    return DataSplit(*read_split(folder, "test"), "full")


def sample_indices(y: np.ndarray, per_class: int = 100, seed: int = 0) -> np.ndarray:
    """Indices of a class-balanced, reproducible subset (sorted)."""
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)]
    return np.sort(np.concatenate(picks))


def write_sample(path: Path = SAMPLE_FILE, per_class: int = 100) -> DataSplit:
    """Write the class-balanced sample of the test set that ships with the app (uint8, npz)."""
    (_, _), (x_test, y_test) = load_fashion_mnist(allow_download=False)
    picks = sample_indices(y_test, per_class)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=np.round(x_test[picks] * 255).astype(np.uint8),
                        y=y_test[picks].astype(np.uint8), test_index=picks.astype(np.int32))
    atomic_write_bytes(path, buffer.getvalue())
    return load_sample(path)

