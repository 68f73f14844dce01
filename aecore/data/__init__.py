"""Images: Fashion-MNIST and its shipped sample, noise, and pictures people upload."""

from aecore.data.fashion_mnist import (
    CLASS_NAMES,
    IMAGE_SHAPE,
    PIXELS,
    SIDE,
    DataSplit,
    find_dataset_dir,
    load_fashion_mnist,
    load_sample,
    load_test_set,
    sample_indices,
    write_sample,
)
from aecore.data.noise import NOISE_KINDS, add_noise

__all__ = ["CLASS_NAMES", "IMAGE_SHAPE", "NOISE_KINDS", "PIXELS", "SIDE", "DataSplit",
           "add_noise", "find_dataset_dir", "load_fashion_mnist", "load_sample", "load_test_set",
           "sample_indices", "write_sample"]
