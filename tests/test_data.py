"""Fashion-MNIST loading from real files and from damaged copies; noise."""

import gzip
import shutil

import numpy as np
import pytest

from aecore.data import NOISE_KINDS, add_noise
from aecore.data import fashion_mnist as data
from aecore.errors import DatasetNotFound


@pytest.fixture()
def dataset_copy(tmp_path, monkeypatch):
    """A private copy of the installed dataset that FASHION_MNIST_DIR points to."""
    source = data.find_dataset_dir()
    assert source is not None, "install dataset-fashion-mnist (make data)"
    for name in data.FILES.values():
        shutil.copy(source / name, tmp_path / name)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path))
    data._MEMORY.clear()
    yield tmp_path
    data._MEMORY.clear()


def test_loads_real_files_with_expected_shapes_and_ranges():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(allow_download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.float32 and x_test.min() >= 0.0 and x_test.max() <= 1.0
    assert set(np.unique(y_train)) == set(range(10)) and len(y_test) == 10000
    assert len(data.CLASS_NAMES) == 10 and data.CLASS_NAMES[9] == "Ankle boot"


def test_env_dir_takes_precedence(dataset_copy):
    assert data.find_dataset_dir() == dataset_copy


def test_truncated_file_names_the_file(dataset_copy):
    path = dataset_copy / data.FILES["x_test"]
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    with pytest.raises(DatasetNotFound, match="t10k-images.*truncated"):
        data.load_fashion_mnist(allow_download=False)


def test_wrong_magic_number_is_rejected(dataset_copy):
    path = dataset_copy / data.FILES["y_train"]
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[3] = 3  # claims three dimensions
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DatasetNotFound, match="train-labels.*header"):
        data.load_fashion_mnist(allow_download=False)


def test_not_gzip_is_rejected(dataset_copy):
    (dataset_copy / data.FILES["x_train"]).write_bytes(b"hello")
    with pytest.raises(DatasetNotFound, match="train-images"):
        data.load_fashion_mnist(allow_download=False)


@pytest.mark.parametrize("damage", ["cut short", "flipped bytes"])
def test_a_damaged_gzip_stream_is_rejected(dataset_copy, damage):
    path = dataset_copy / data.FILES["x_test"]
    raw = bytearray(path.read_bytes())
    if damage == "cut short":
        raw = raw[: len(raw) // 2]
    else:
        raw[100:400] = bytes(300)   # inside the deflate stream: zlib's own error
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetNotFound, match="t10k-images.*not a readable gzip"):
        data.load_fashion_mnist(allow_download=False)


def test_missing_everywhere_lists_the_three_ways(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "candidate_dirs", lambda: [tmp_path])
    with pytest.raises(DatasetNotFound) as info:
        data.load_fashion_mnist(allow_download=False)
    message = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "FASHION_MNIST_DIR" in message and "load_data" in message


def test_falls_back_to_shipped_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "candidate_dirs", lambda: [tmp_path])
    split = data.load_test_set()
    assert split.source == "sample" and split.x.shape == (1000, 28, 28)
    assert np.bincount(split.y).tolist() == [100] * 10
    assert "sample" in split.description


def test_sample_matches_the_test_set():
    split = data.load_sample()
    (_, _), (x_test, y_test) = data.load_fashion_mnist(allow_download=False)
    with np.load(data.SAMPLE_FILE) as raw:
        index = raw["test_index"]
    assert np.array_equal(split.y, y_test[index])
    assert np.abs(split.x - x_test[index]).max() < 1e-6


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_noise_is_reproducible_and_in_range(kind):
    x = np.full((3, 28, 28), 0.5, dtype=np.float32)
    a, b = add_noise(x, 0.5, kind, seed=1), add_noise(x, 0.5, kind, seed=1)
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() <= 1
    assert not np.array_equal(a, add_noise(x, 0.5, kind, seed=2))
    assert np.array_equal(add_noise(x, 0.0, kind, seed=1), x)


def test_gaussian_noise_has_requested_spread():
    x = np.full((100, 28, 28), 0.5, dtype=np.float32)
    assert abs(np.std(add_noise(x, 0.1, seed=0) - x) - 0.1) < 0.005


def test_bad_noise_arguments():
    with pytest.raises(ValueError, match="choose one of"):
        add_noise(np.zeros((1, 28, 28)), 0.5, "purple")
    with pytest.raises(ValueError, match="between 0 and 1"):
        add_noise(np.zeros((1, 28, 28)), 2.0)
