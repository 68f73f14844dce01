"""Dense autoencoders: basic (784-32-784), sparse (L1 on the code), deep (128-64-32) and a
plain one with a 2-D code (the VAE's layers without sampling or KL)."""

from __future__ import annotations

import keras
from keras import layers

from aecore.models.common import IMAGE_SHAPE, PIXELS, Built, chain, code_input, image_input


def dense_autoencoder(name: str, hidden: tuple[int, ...] = (), code_size: int = 32,
                      code_l1: float = 0.0, code_activation: str = "relu") -> Built:
    """Flatten -> hidden relu layers -> code -> mirrored hidden layers -> sigmoid pixels."""
    image = image_input()
    h = layers.Flatten()(image)
    for units in hidden:
        h = layers.Dense(units, activation="relu")(h)
    regularizer = keras.regularizers.L1(code_l1) if code_l1 else None
    code = layers.Dense(code_size, activation=code_activation, activity_regularizer=regularizer,
                        name="code")(h)
    encoder = keras.Model(image, code, name=f"{name}_encoder")

    z = code_input(code_size)
    h = z
    for units in reversed(hidden):
        h = layers.Dense(units, activation="relu")(h)
    pixels = layers.Dense(PIXELS, activation="sigmoid")(h)
    decoder = keras.Model(z, layers.Reshape(IMAGE_SHAPE)(pixels), name=f"{name}_decoder")
    return chain(encoder, decoder, name)


def build_basic() -> Built:
    return dense_autoencoder("basic")


def build_sparse(l1: float = 1e-5) -> Built:
    return dense_autoencoder("sparse", code_l1=l1)


def build_deep() -> Built:
    return dense_autoencoder("deep", hidden=(128, 64))


def build_plain_2d(hidden: int = 256) -> Built:
    """The MLP VAE's layer sizes with a plain 2-D code (linear: the plane may use any sign)."""
    return dense_autoencoder("ae_2d", hidden=(hidden,), code_size=2, code_activation="linear")
