"""Convolutional autoencoders: conv (32-16-16 / 32-32-64 filters) and denoising (32 everywhere)."""

from __future__ import annotations

import keras
from keras import layers

from aecore.models.common import IMAGE_SHAPE, Built, chain, code_input, image_input


def conv_block(x, filters: int, padding: str = "same"):
    """Conv2D 3x3 relu followed by batch normalisation, as in the article (but with a bias)."""
    x = layers.Conv2D(filters, 3, padding=padding, activation="relu")(x)
    return layers.BatchNormalization()(x)


def conv_autoencoder(name: str, encoder_filters=(32, 16, 16),
                     decoder_filters=(16, 16, 32)) -> Built:
    """28x28 -> three conv+pool stages -> 4x4xF code -> three conv+upsample stages -> 28x28."""
    image = image_input()
    x = layers.Reshape((*IMAGE_SHAPE, 1))(image)
    for filters in encoder_filters:
        x = conv_block(x, filters)
        x = layers.MaxPooling2D(2, padding="same")(x)          # 28 -> 14 -> 7 -> 4
    code_shape = tuple(x.shape[1:])
    encoder = keras.Model(image, layers.Flatten(name="code")(x), name=f"{name}_encoder")

    z = code_input(code_shape[0] * code_shape[1] * code_shape[2])
    x = layers.Reshape(code_shape)(z)
    last = len(decoder_filters) - 1
    for i, filters in enumerate(decoder_filters):
        x = conv_block(x, filters, padding="valid" if i == last else "same")  # 16 -> 14 at the end
        x = layers.UpSampling2D(2)(x)                           # 4 -> 8 -> 16 -> 28
    x = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    decoder = keras.Model(z, layers.Reshape(IMAGE_SHAPE)(x), name=f"{name}_decoder")
    return chain(encoder, decoder, name)


def build_conv() -> Built:
    """The article's encoder; its decoder with twice the filters (see the spec's differences)."""
    return conv_autoencoder("conv", decoder_filters=(32, 32, 64))


def build_denoising() -> Built:
    return conv_autoencoder("denoising", (32, 32, 32), (32, 32, 32))
