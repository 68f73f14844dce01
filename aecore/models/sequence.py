"""LSTM sequence-to-sequence autoencoder: an image is read as 28 rows of 28 pixels."""

from __future__ import annotations

import keras
from keras import layers

from aecore.models.common import IMAGE_SHAPE, Built, chain, code_input, image_input


def build_lstm(units: int = 128, code_size: int = 32) -> Built:
    """LSTM reads the rows -> dense code -> repeated 28 times -> LSTM writes the rows."""
    image = image_input()
    h = layers.LSTM(units)(image)
    code = layers.Dense(code_size, name="code")(h)
    encoder = keras.Model(image, code, name="lstm_encoder")

    z = code_input(code_size)
    x = layers.RepeatVector(IMAGE_SHAPE[0])(z)
    x = layers.LSTM(units, return_sequences=True)(x)
    rows = layers.Dense(IMAGE_SHAPE[1], activation="sigmoid")(x)
    decoder = keras.Model(z, rows, name="lstm_decoder")
    return chain(encoder, decoder, "lstm")
