"""What every builder returns."""

from __future__ import annotations

from dataclasses import dataclass

import keras

from aecore.data.fashion_mnist import IMAGE_SHAPE, PIXELS  # noqa: F401  (the builders')


@dataclass(frozen=True)
class Built:
    """A trainable model plus its encoder (images -> codes) and decoder (flat codes -> images)."""

    autoencoder: keras.Model
    encoder: keras.Model
    decoder: keras.Model


def image_input(name: str = "image") -> keras.KerasTensor:
    return keras.Input(shape=IMAGE_SHAPE, name=name)


def code_input(size: int, name: str = "code") -> keras.KerasTensor:
    return keras.Input(shape=(size,), name=name)


def chain(encoder: keras.Model, decoder: keras.Model, name: str) -> Built:
    """Join encoder and decoder into one functional autoencoder."""
    image = image_input()
    return Built(keras.Model(image, decoder(encoder(image)), name=name), encoder, decoder)


class GaussianCorruption(keras.layers.Layer):
    """During training only: x + level * N(0, 1), clipped to [0, 1] (fresh noise every batch)."""

    def __init__(self, level: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.level = level
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        if not training:
            return x
        noise = keras.random.normal(keras.ops.shape(x), seed=self.seed_generator)
        return keras.ops.clip(x + self.level * noise, 0.0, 1.0)
