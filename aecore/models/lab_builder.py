"""The lab's one builder: a dense, convolutional or variational autoencoder from plain knobs.

Lab specs name it as "aecore.models.lab_builder:build_lab" with their knobs in `params`, so a
worker process rebuilds the same network from JSON (see aecore.models.lab).
"""

from __future__ import annotations

import keras
from keras import layers

from aecore.models.common import IMAGE_SHAPE, PIXELS, Built, code_input, image_input
from aecore.models.conv import conv_autoencoder
from aecore.models.dense import dense_autoencoder
from aecore.models.vae import VAE


def build_lab(family: str, code_size: int = 32, hidden=(), l1: float = 0.0,
              code_activation: str = "relu", **_training) -> Built:
    """`family` dense (hidden layers, code, optional L1 on the code), conv (three filter
    counts; a 4x4xF code) or vae (hidden layers, a Gaussian code of `code_size`). The spec's
    training knobs (epochs, seed …) travel in the same params and are ignored here."""
    hidden = tuple(int(h) for h in hidden)
    if family == "dense":
        return dense_autoencoder("lab", hidden=hidden, code_size=code_size, code_l1=l1,
                                 code_activation=code_activation)
    if family == "conv":
        return conv_autoencoder("lab", hidden, tuple(reversed(hidden)))
    if family == "vae":
        return vae_autoencoder(hidden, code_size)
    raise ValueError(f"Unknown lab family {family!r}.")


def vae_autoencoder(hidden: tuple[int, ...], code_size: int) -> Built:
    """The MLP VAE of aecore.models.vae with any hidden layers and code size."""
    image = image_input()
    h = layers.Flatten()(image)
    for units in hidden:
        h = layers.Dense(units, activation="relu")(h)
    z_mean = layers.Dense(code_size, name="z_mean")(h)
    z_log_var = layers.Dense(code_size, name="z_log_var")(h)
    encoder = keras.Model(image, [z_mean, z_log_var], name="lab_encoder")

    z = code_input(code_size)
    h = z
    for units in reversed(hidden):
        h = layers.Dense(units, activation="relu")(h)
    pixels = layers.Dense(PIXELS, activation="sigmoid")(h)
    decoder = keras.Model(z, layers.Reshape(IMAGE_SHAPE)(pixels), name="lab_decoder")
    return Built(VAE(encoder, decoder, name="lab"), encoder, decoder)
