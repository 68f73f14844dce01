"""Variational autoencoders with a 2-D latent space: an MLP one and a convolutional one."""

from __future__ import annotations

import keras
from keras import layers, ops

from aecore.models.common import IMAGE_SHAPE, PIXELS, Built, code_input, image_input

LATENT_DIM = 2
EPSILON = 1e-7


class Sampling(layers.Layer):
    """Reparameterisation trick: z = mean + exp(log_var / 2) * eps, eps ~ N(0, I)."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps


def reconstruction_nats(x, x_hat):
    """Binary cross-entropy summed over the 784 pixels, averaged over the batch."""
    x_hat = ops.clip(x_hat, EPSILON, 1.0 - EPSILON)
    per_pixel = -(x * ops.log(x_hat) + (1.0 - x) * ops.log(1.0 - x_hat))
    return ops.mean(ops.sum(ops.reshape(per_pixel, (-1, PIXELS)), axis=1))


def kl_nats(z_mean, z_log_var):
    """KL(q(z|x) || N(0, I)) in closed form, summed over latent dims, averaged over the batch."""
    per_dim = 1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var)
    return ops.mean(-0.5 * ops.sum(per_dim, axis=1))


class VAE(keras.Model):
    """Encoder -> (z_mean, z_log_var) -> Sampling -> decoder; loss = reconstruction + KL (nats).

    The loss lives in `compute_loss`, so the same code trains under TensorFlow and JAX; `fit`
    reports `loss` (the negative ELBO per image), `reconstruction` and `kl` separately.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, seed: int = 1337, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.sampling = Sampling(seed=seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, x, training=False):
        z_mean, z_log_var = self.encoder(x, training=training)
        z = self.sampling([z_mean, z_log_var])
        return {
            "reconstruction": self.decoder(z, training=training),
            "z_mean": z_mean,
            "z_log_var": z_log_var,
        }

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        target = x if y is None else y
        reconstruction = reconstruction_nats(target, y_pred["reconstruction"])
        kl = kl_nats(y_pred["z_mean"], y_pred["z_log_var"])
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return reconstruction + kl

    @property
    def metrics(self):
        return [*super().metrics, self.reconstruction_tracker, self.kl_tracker]


def gaussian_head(h):
    """Two linear heads for the mean and log-variance of q(z|x)."""
    z_mean = layers.Dense(LATENT_DIM, name="z_mean")(h)
    z_log_var = layers.Dense(LATENT_DIM, name="z_log_var")(h)
    return z_mean, z_log_var


def build_vae_mlp(hidden: int = 256) -> Built:
    image = image_input()
    h = layers.Dense(hidden, activation="relu")(layers.Flatten()(image))
    encoder = keras.Model(image, gaussian_head(h), name="vae_mlp_encoder")

    z = code_input(LATENT_DIM)
    h = layers.Dense(hidden, activation="relu")(z)
    pixels = layers.Dense(PIXELS, activation="sigmoid")(h)
    decoder = keras.Model(z, layers.Reshape(IMAGE_SHAPE)(pixels), name="vae_mlp_decoder")
    return Built(VAE(encoder, decoder, name="vae_mlp"), encoder, decoder)


def build_vae_conv(filters: int = 64, hidden: int = 128) -> Built:
    image = image_input()
    x = layers.Reshape((*IMAGE_SHAPE, 1))(image)
    x = layers.Conv2D(1, 2, padding="same", activation="relu")(x)
    x = layers.Conv2D(filters, 2, strides=2, padding="same", activation="relu")(x)   # 14x14
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    h = layers.Dense(hidden, activation="relu")(layers.Flatten()(x))
    encoder = keras.Model(image, gaussian_head(h), name="vae_conv_encoder")

    z = code_input(LATENT_DIM)
    x = layers.Dense(hidden, activation="relu")(z)
    x = layers.Dense(14 * 14 * filters, activation="relu")(x)
    x = layers.Reshape((14, 14, filters))(x)
    x = layers.Conv2DTranspose(filters, 3, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(filters, 3, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(filters, 3, strides=2, padding="valid", activation="relu")(x)  # 29
    x = layers.Conv2D(1, 2, padding="valid", activation="sigmoid")(x)                         # 28
    decoder = keras.Model(z, layers.Reshape(IMAGE_SHAPE)(x), name="vae_conv_decoder")
    return Built(VAE(encoder, decoder, name="vae_conv"), encoder, decoder)
