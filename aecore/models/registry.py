"""The registry: one frozen spec per variant. Every page and tool reads models from here.

Importing it is cheap: builders are named as "module:function" and imported (with Keras) only
when a model is built, so the serving process never loads Keras or TensorFlow.
"""

from __future__ import annotations

import colorsys
import contextlib
import importlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from math import prod


@dataclass(frozen=True)
class TrainSettings:
    """Default training settings; `full_epochs` is a cap (early stopping may end sooner)."""

    quick_epochs: int
    full_epochs: int
    batch_size: int = 128
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    early_stopping_patience: int = 12
    reduce_lr_patience: int = 4
    min_delta: float = 1e-4            # smaller val_loss gains do not count as progress
    jit_compile: bool | str = "auto"   # XLA pays off for the small dense models on CPU
    graph_optimizer: bool = True       # TensorFlow's graph passes (off: a faster first step)


@dataclass(frozen=True)
class ModelSpec:
    """Everything the app and the tools know about one variant."""

    name: str
    title: str
    description: str
    family: str                       # dense | conv | sequence | vae
    latent_shape: tuple[int, ...]
    loss: str
    architecture: str                 # one line
    builder: str = field(repr=False)   # "module:function" returning a Built
    train: TrainSettings = field(default_factory=lambda: TrainSettings(5, 100))
    article_bce: float | None = None
    target_bce: float | None = None   # the test BCE the shipped weights must reach
    target_beats: str | None = None   # ... or: must be at or under this other model's test BCE
    article_settings: str = ""
    differences: tuple[str, ...] = ()
    input_noise: float = 0.0          # gaussian std applied to inputs (denoising)
    roles: tuple[str, ...] = ()       # e.g. ROLE_DENOISER: what pages look models up by
    origin: str = "shipped"           # "shipped" or who made it (the lab's session models)
    weights_dir: str | None = None    # where its weights live (None: the shipped weights/)
    params: dict = field(default_factory=dict, hash=False)  # the builder's keyword arguments

    @property
    def latent_dim(self) -> int:
        return prod(self.latent_shape)

    @property
    def is_vae(self) -> bool:
        return self.family == "vae"

    @property
    def has_plane(self) -> bool:
        """A 2-D code: the model gets a latent plane (scatter, explorer, manifold grid)."""
        return self.latent_dim == 2

    def build(self):
        """A fresh `aecore.models.common.Built` (imports Keras)."""
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(module), function)(**self.params)


ROLE_DENOISER = "denoiser"                    # trained on noisy input: the Denoiser page's star
ROLE_DENOISER_BASELINE = "denoiser_baseline"  # the plain model the denoiser is compared with
ROLE_ANOMALY = "anomaly"  # retrained without one class to score anomalies (VAEs by negative ELBO)
ROLE_SHALLOW = "shallow"              # one dense layer each way: the lesson's first squeeze
ROLE_DEEP = "deep"                    # the same code size reached through more layers
ROLE_CONVOLUTIONAL = "convolutional"  # the plain convolutional model the lesson shows

# The conv models improve by less than 1e-4 per epoch long before they converge.
CONV_TRAINING = TrainSettings(quick_epochs=2, full_epochs=300, batch_size=128,
                              early_stopping_patience=20, min_delta=2e-5)

ADAM = "Adam (lr 1e-3, halved when val_loss stalls for 4 epochs) instead of the article's RMSprop."

SPECS: dict[str, ModelSpec] = {s.name: s for s in [
    ModelSpec(
        name="basic", title="Basic dense autoencoder", family="dense", latent_shape=(32,),
        loss="BCE", builder="aecore.models.dense:build_basic", target_bce=0.283,
        article_bce=0.282, roles=(ROLE_ANOMALY, ROLE_SHALLOW),
        architecture="784 → Dense 32 (relu) → Dense 784 (sigmoid)",
        description=(
            "The smallest useful autoencoder: one fully connected layer squeezes the 784 pixels "
            "into 32 numbers and a second layer tries to paint the image back from them. With so "
            "little room it keeps the silhouette and overall brightness and drops fine texture."
        ),
        article_settings="RMSprop, 100 epochs, batch 256",
        train=TrainSettings(quick_epochs=5, full_epochs=150, batch_size=64, jit_compile=True,
                            early_stopping_patience=20, min_delta=2e-5),
        differences=(ADAM, "Batch 64 instead of 256: more updates per epoch.",
                     "Target 0.283 rather than 0.280: one 32-unit layer each way is "
                     "capacity-bound just above 0.282 (its training loss levels off above 0.280 "
                     "too); we keep the article's layers because basic versus deep is the "
                     "lesson."),
    ),
    ModelSpec(
        name="sparse", title="Sparse autoencoder", family="dense", latent_shape=(32,),
        loss="BCE + L1 on the code", builder="aecore.models.dense:build_sparse",
        target_bce=0.283, article_bce=None,
        architecture="784 → Dense 32 (relu, L1 activity 1e-5) → Dense 784 (sigmoid)",
        description=(
            "The basic network with a penalty on how strongly the code units fire. The penalty "
            "nudges units towards zero for any given image, so each image leans on fewer active "
            "features. With a light weight the reconstructions stay as good as the basic "
            "model's while the codes get quieter: a lower mean activation, with more of the "
            "activity concentrated in fewer units (the measured numbers come from the manifest)."
        ),
        article_settings="RMSprop, 150 epochs, batch 256; 'very similar' loss to basic",
        train=TrainSettings(quick_epochs=5, full_epochs=150, batch_size=64, jit_compile=True,
                            early_stopping_patience=20, min_delta=2e-5),
        differences=(ADAM, "Batch 64 instead of 256.",
                     "L1 weight 1e-5 instead of 1e-8: at 1e-8 the penalty is ~100,000 times "
                     "smaller than the reconstruction loss and changes nothing measurable; a "
                     "heavier weight (Chollet's 1e-4) makes the codes sparser but misses the "
                     "reconstruction target."),
    ),
    ModelSpec(
        name="deep", title="Deep dense autoencoder", family="dense", latent_shape=(32,),
        loss="BCE", builder="aecore.models.dense:build_deep", target_bce=0.275, article_bce=0.277,
        roles=(ROLE_DEEP,),
        architecture="784 → 128 → 64 → 32 → 64 → 128 (relu) → 784 (sigmoid)",
        description=(
            "Same 32-number code as the basic model, but reached through two hidden layers on "
            "each side. The extra non-linear steps let the code capture shapes a single layer "
            "cannot, so the same budget buys sharper reconstructions."
        ),
        article_settings="RMSprop, 150 epochs, batch 256",
        train=TrainSettings(quick_epochs=5, full_epochs=150, batch_size=128),
        differences=(ADAM,),
    ),
    ModelSpec(
        name="conv", title="Convolutional autoencoder", family="conv", latent_shape=(4, 4, 16),
        loss="BCE", builder="aecore.models.conv:build_conv", target_bce=0.263, article_bce=0.265,
        architecture=("Conv 32-16-16 + max-pool → 4×4×16 code → Conv 32-32-64 + upsample → "
                      "Conv 1 (sigmoid); 3×3 kernels, batch norm"),
        description=(
            "Convolutions look at small neighbourhoods and reuse the same filters everywhere, "
            "which suits images. Three convolution-and-pooling stages shrink the picture to a "
            "4×4 grid of 16 feature channels (256 numbers); three upsampling stages grow it back."
        ),
        article_settings="RMSprop, 150 epochs, batch 256, best checkpoint",
        train=CONV_TRAINING, roles=(ROLE_DENOISER_BASELINE, ROLE_CONVOLUTIONAL),
        differences=(ADAM, "Convolutions keep their bias (the article sets use_bias=False): "
                     "the bias before relu helps here.", "Batch 128 instead of 256.",
                     "Decoder filters 32-32-64 instead of 16-16-32 (the code is still 4×4×16): "
                     "with the article's decoder the test BCE levelled off above the target "
                     "in every run we tried (see the README)."),
    ),
    ModelSpec(
        name="denoising", title="Denoising autoencoder", family="conv", latent_shape=(4, 4, 32),
        loss="BCE against the clean image", builder="aecore.models.conv:build_denoising",
        target_bce=0.285, article_bce=0.287, input_noise=0.5, roles=(ROLE_DENOISER,),
        architecture="The convolutional model with 32 filters in every layer (4×4×32 code)",
        description=(
            "Trained on images buried under heavy Gaussian noise (σ = 0.5) and asked to return "
            "the clean original. It cannot just copy its input, so it has to learn what clothes "
            "look like and project the noisy picture back onto that."
        ),
        article_settings="RMSprop, 150 epochs, batch 256, noisy input → clean target",
        train=replace(CONV_TRAINING, batch_size=64),
        differences=(ADAM, "Convolutions keep their bias.", "Batch 64 instead of 256.",
                     "Fresh noise for every batch instead of one fixed noisy copy."),
    ),
    ModelSpec(
        name="lstm", title="LSTM sequence-to-sequence autoencoder", family="sequence",
        latent_shape=(32,), loss="BCE", builder="aecore.models.sequence:build_lstm",
        target_bce=0.270, article_bce=None,
        architecture=("28 rows → LSTM 128 → Dense 32 code → repeat ×28 → LSTM 128 → "
                      "Dense 28 (sigmoid) per row"),
        description=(
            "Reads the image one row at a time, like a sentence of 28 words, and summarises it in "
            "a 32-number code. A second LSTM unrolls that code back into 28 rows. It shows that "
            "the autoencoder idea works for sequences too, not only for grids of pixels."
        ),
        article_settings="described in words only; no code or number",
        train=TrainSettings(quick_epochs=2, full_epochs=60, batch_size=128),
        differences=("The article gives no layer sizes: we chose LSTM 128 with a 32-number "
                     "code so it compares with the dense models and PCA-32.", ADAM),
    ),
    ModelSpec(
        name="ae_2d", title="Plain autoencoder (MLP, 2-D)", family="dense", latent_shape=(2,),
        loss="BCE", builder="aecore.models.dense:build_plain_2d", target_beats="vae_mlp",
        architecture="784 → Dense 256 → 2 numbers (linear) → Dense 256 → 784",
        description=(
            "The MLP variational autoencoder's layers without the sampling and without the KL "
            "term: each picture maps to one point on a 2-D plane, chosen only to rebuild it "
            "well. Nothing asks the plane to be tidy, so classes spread into long, uneven "
            "regions with empty gaps between them, and points in the gaps decode to smudges. "
            "Compare its plane with the VAE's."
        ),
        article_settings="not in the article: the baseline that shows what the VAE's prior adds",
        train=TrainSettings(quick_epochs=5, full_epochs=150, batch_size=128,
                            early_stopping_patience=15),
        differences=("Not one of the article's models: added beside the VAEs so the two kinds "
                     "of 2-D plane can be compared.", ADAM),
    ),
    ModelSpec(
        name="vae_mlp", title="Variational autoencoder (MLP, 2-D)", family="vae",
        latent_shape=(2,), loss="784·BCE + KL (nats per image)",
        builder="aecore.models.vae:build_vae_mlp",
        target_bce=0.325, roles=(ROLE_ANOMALY,),
        architecture="784 → Dense 256 → (μ, log σ²) ∈ R² → sample → Dense 256 → 784",
        description=(
            "Instead of a single point, the encoder outputs a small Gaussian cloud in a 2-D plane, "
            "and the loss pulls every cloud towards a standard normal. The plane becomes smooth "
            "and gap-free, so any point you pick decodes to a plausible garment."
        ),
        article_settings="RMSprop, 100 epochs, batch 128",
        train=TrainSettings(quick_epochs=5, full_epochs=150, batch_size=128,
                            early_stopping_patience=15, min_delta=0.05),
        differences=(ADAM,),
    ),
    ModelSpec(
        name="vae_conv", title="Variational autoencoder (convolutional, 2-D)", family="vae",
        latent_shape=(2,), loss="784·BCE + KL (nats per image)",
        builder="aecore.models.vae:build_vae_conv",
        target_beats="vae_mlp",
        architecture=("Conv 1-64-64-64 → Dense 128 → (μ, log σ²) ∈ R² → sample → Dense 128 → "
                      "14×14×64 → ConvT 64 ×3 → Conv 1 (sigmoid)"),
        description=(
            "The same 2-D variational idea with convolutional encoder and decoder. Convolutions "
            "read shapes better, so garments of one kind gather more tightly on the plane and "
            "the decoded images are a little crisper."
        ),
        article_settings="RMSprop, 150 epochs, batch 128",
        train=TrainSettings(quick_epochs=2, full_epochs=150, batch_size=64,
                            early_stopping_patience=12, min_delta=0.05),
        differences=(ADAM, "Batch 64 instead of 128.",
                     "Sampling uses exp(log σ² / 2)·ε; the article's exp(log σ²)·ε "
                     "(from an old Keras example) samples with the wrong spread."),
    ),
]}


# --- session models: the lab's, seen only by the session that made them ----------------------
SESSION_SPECS: ContextVar[dict[str, ModelSpec] | None] = ContextVar("session_specs", default=None)
_session_source: list[Callable[[], dict[str, ModelSpec] | None]] = []


def set_session_source(source: Callable[[], dict[str, ModelSpec] | None] | None) -> None:
    """Where to find the current session's models when SESSION_SPECS is not set (the app
    installs one that reads the running Streamlit session; fragments run in other threads)."""
    _session_source[:] = [source] if source else []


def session_specs() -> dict[str, ModelSpec]:
    """This session's own models, after the shipped ones ({} outside a session)."""
    specs = SESSION_SPECS.get()
    if specs is None and _session_source:
        specs = _session_source[0]()
    return specs or {}


@contextlib.contextmanager
def session_models(specs: dict[str, ModelSpec]):
    """Within the block, `specs` are this context's session models (workers, tests)."""
    token = SESSION_SPECS.set(specs)
    try:
        yield specs
    finally:
        SESSION_SPECS.reset(token)


def _specs() -> dict[str, ModelSpec]:
    extra = session_specs()
    return {**SPECS, **extra} if extra else SPECS


def list_models() -> list[str]:
    """Names of the variants, in the order the app shows them (session models last)."""
    return list(_specs())


def get_spec(name: str) -> ModelSpec:
    specs = _specs()
    try:
        return specs[name]
    except KeyError:
        raise KeyError(f"Unknown model {name!r}; choose one of {', '.join(specs)}.") from None


def all_specs() -> list[ModelSpec]:
    return list(_specs().values())


def plane_models() -> list[str]:
    """Models with a 2-D code, in registry order (they get a latent plane)."""
    return [s.name for s in _specs().values() if s.has_plane]


def with_role(role: str) -> str | None:
    """The first model that has `role`, or None."""
    return next((s.name for s in _specs().values() if role in s.roles), None)


def register(spec: ModelSpec) -> None:
    """Add a variant (a test's throwaway spec, a lab model); its name must be new."""
    if spec.name in _specs():
        raise ValueError(f"A model named {spec.name!r} is already registered.")
    SPECS[spec.name] = spec


def unregister(name: str) -> None:
    SPECS.pop(name, None)


@contextlib.contextmanager
def registered(spec: ModelSpec):
    """Register `spec` for the duration of a with-block."""
    register(spec)
    try:
        yield spec
    finally:
        unregister(spec.name)


def model_color(name: str) -> str:
    """A distinct colour per model, derived from its place in the registry (any number).

    Hues step by the golden angle, so neighbours differ and a tenth model still gets its own.
    """
    names = list_models()
    index = names.index(name) if name in names else len(names)
    hue = (0.6 + index * 0.381966) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.45, 0.75)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
