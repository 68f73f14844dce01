"""The lab's models: knobs, starting points, and the specs they become (no Keras here).

A lab model is a `ModelSpec` whose builder is the generic lab builder and whose `params` hold
its architecture knobs as plain values; its training knobs travel in `LabSettings`. Specs read
back from a file are rebuilt from validated knobs only (never from a file's builder string).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace

from aecore.models.registry import ModelSpec, TrainSettings, list_models

BUILDER = "aecore.models.lab_builder:build_lab"
ORIGIN = "lab"
FAMILIES = ("dense", "conv", "vae")
CONV_STAGES = 3                  # 28 -> 14 -> 7 -> 4: the conv code is 4 x 4 x last filters
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LIMITS = {                       # knob: (lowest, highest)
    "code_size": (2, 256), "units": (2, 1024), "layers": (0, 4), "l1": (0.0, 1e-2),
    "noise": (0.0, 1.0), "epochs": (1, 100), "learning_rate": (1e-5, 1e-1),
    "batch_size": (8, 1024), "train_images": (100, 60_000), "seed": (0, 2**31 - 1),
}
VALIDATION_IMAGES = 2_000        # test images scored after every epoch
YOURS = " · yours"               # ends every lab model's title: pages show whose it is


class LabError(ValueError):
    """Knobs or a file the lab cannot use; the message says which and why."""


@dataclass(frozen=True)
class LabSettings:
    """Everything the user chose: architecture knobs (`family`..`l1`) and training knobs."""

    family: str = "dense"
    code_size: int = 32
    hidden: tuple[int, ...] = ()
    code_activation: str = "relu"
    l1: float = 0.0
    noise: float = 0.0
    epochs: int = 10
    learning_rate: float = 1e-3
    batch_size: int = 64
    train_images: int = 10_000
    seed: int = 0

    @property
    def params(self) -> dict:
        """Every knob as JSON values: the spec's `params` (the builder reads the architecture's)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return (4, 4, self.hidden[-1]) if self.family == "conv" else (self.code_size,)


@dataclass(frozen=True)
class Preset:
    """A named starting point: the knobs it sets (the user may change any of them)."""

    title: str
    summary: str
    settings: LabSettings = field(default_factory=LabSettings)


PRESETS: dict[str, Preset] = {
    "dense": Preset("Basic dense", "One dense layer each way, like the article's first model.",
                    LabSettings()),
    "deep": Preset("Deep dense", "Two hidden layers on each side of the code.",
                   LabSettings(hidden=(128, 64))),
    "sparse": Preset("Sparse", "An L1 penalty on the code: fewer units fire per image.",
                     LabSettings(l1=1e-4)),
    "denoising": Preset("Denoising", "Trained on noisy images to return the clean ones.",
                        LabSettings(hidden=(128,), noise=0.3)),
    "conv": Preset("Convolutional", "Three convolution + pooling stages; a 4×4 grid of filters.",
                   LabSettings(family="conv", hidden=(16, 8, 8), epochs=5, batch_size=128,
                               train_images=5_000)),
    "vae": Preset("Variational (2-D)", "A Gaussian 2-D code pulled towards N(0, I): a tidy plane.",
                  LabSettings(family="vae", code_size=2, hidden=(256,), batch_size=128)),
    "plain_2d": Preset("Plain 2-D", "A 2-D code without the VAE's prior: gaps in the plane.",
                       LabSettings(code_size=2, hidden=(256,), code_activation="linear",
                                   batch_size=128)),
}


def _check(knob: str, value, low=None, high=None) -> None:
    low, high = LIMITS[knob] if low is None else (low, high)
    if not low <= value <= high:
        raise LabError(f"{knob.replace('_', ' ')} must be between {low:g} and {high:g} "
                       f"(got {value:g}).")


def validate(settings: LabSettings) -> LabSettings:
    """The settings with their types fixed, or LabError naming the knob that is out of range."""
    try:
        s = replace(settings, hidden=tuple(int(h) for h in settings.hidden),
                    code_size=int(settings.code_size), l1=float(settings.l1),
                    noise=float(settings.noise), epochs=int(settings.epochs),
                    learning_rate=float(settings.learning_rate),
                    batch_size=int(settings.batch_size),
                    train_images=int(settings.train_images), seed=int(settings.seed))
    except (TypeError, ValueError) as exc:
        raise LabError(f"A knob is not a number: {exc}") from exc
    if s.family not in FAMILIES:
        raise LabError(f"Unknown family {s.family!r}; choose one of {', '.join(FAMILIES)}.")
    if s.code_activation not in ("relu", "linear"):
        raise LabError("The code activation must be relu or linear.")
    if s.family == "conv" and len(s.hidden) != CONV_STAGES:
        raise LabError(f"A convolutional model needs {CONV_STAGES} filter counts, e.g. 16, 8, 8.")
    if s.family == "vae" and s.noise:
        raise LabError("The variational model trains on clean images: set the noise to 0.")
    _check("layers", len(s.hidden))
    for units in s.hidden:
        _check("units", units)
    for knob in ("code_size", "l1", "noise", "epochs", "learning_rate", "batch_size",
                 "train_images", "seed"):
        _check(knob, getattr(s, knob))
    return s


def architecture(s: LabSettings) -> str:
    """One line, as the registry's specs say it."""
    if s.family == "conv":
        return (f"Conv {'-'.join(map(str, s.hidden))} + max-pool → 4×4×{s.hidden[-1]} code → "
                f"Conv {'-'.join(map(str, reversed(s.hidden)))} + upsample → Conv 1 (sigmoid)")
    down = "".join(f"{units} → " for units in s.hidden)
    up = "".join(f"{units} → " for units in reversed(s.hidden))
    if s.family == "vae":
        return f"784 → {down}(μ, log σ²) ∈ R^{s.code_size} → sample → {up}784 (sigmoid)"
    l1 = f", L1 {s.l1:g}" if s.l1 else ""
    return f"784 → {down}{s.code_size} ({s.code_activation}{l1}) → {up}784 (sigmoid)"


def loss_name(s: LabSettings) -> str:
    if s.family == "vae":
        return "784·BCE + KL (nats per image)"
    loss = "BCE against the clean image" if s.noise else "BCE"
    return f"{loss} + L1 on the code" if s.l1 else loss


def train_settings(s: LabSettings) -> TrainSettings:
    """Exactly the epochs and learning rate asked for: no early stop, no learning-rate decay;
    no XLA and no graph-optimizer passes: they hold up the first curve point (by seconds for a
    model traced in the job) and speed these small models' later epochs up little if at all."""
    return TrainSettings(quick_epochs=s.epochs, full_epochs=s.epochs, batch_size=s.batch_size,
                         learning_rate=s.learning_rate, early_stopping_patience=s.epochs + 1,
                         reduce_lr_patience=s.epochs + 1, min_delta=0.0, jit_compile=False,
                         graph_optimizer=False)


def make_spec(name: str, title: str, settings: LabSettings,
              weights_dir: str | None = None) -> ModelSpec:
    """The registry spec of a lab model (validated; raises LabError)."""
    s = validate(settings)
    return ModelSpec(
        name=name, title=marked(title), family=s.family, latent_shape=s.latent_shape,
        loss=loss_name(s), architecture=architecture(s), builder=BUILDER, params=s.params,
        description=(f"Your model from the Lab: {architecture(s)}; {s.epochs} epochs on "
                     f"{s.train_images:,} training images, learning rate {s.learning_rate:g}, "
                     f"batch {s.batch_size}, seed {s.seed}"
                     + (f", trained on noisy input (σ = {s.noise:g})" if s.noise else "") + "."),
        train=train_settings(s), input_noise=s.noise, origin=ORIGIN, weights_dir=weights_dir,
        article_settings="not in the article: trained in the Lab",
    )


def marked(title: str) -> str:
    """The title with the lab's mark, once ('My AE' -> 'My AE · yours')."""
    return f"{unmarked(title)[:80]}{YOURS}"


def unmarked(title: str) -> str:
    return title.strip().removesuffix(YOURS.strip()).strip().removesuffix("·").strip()


def settings_of(spec: ModelSpec) -> LabSettings:
    """The knobs a lab spec was made from."""
    return settings_from(spec.params)


def settings_from(params: Mapping) -> LabSettings:
    """LabSettings from JSON values (unknown keys ignored; raises LabError)."""
    known = {f.name for f in fields(LabSettings)}
    try:
        values = {k: v for k, v in params.items() if k in known}
        values["hidden"] = tuple(values.get("hidden") or ())
        return validate(LabSettings(**values))
    except (TypeError, AttributeError) as exc:
        raise LabError(f"The spec's knobs are not usable: {exc}") from exc


def spec_json(spec: ModelSpec) -> dict:
    """What a worker needs to rebuild a lab spec: its name, title and knobs."""
    return {"name": spec.name, "title": spec.title, "params": dict(spec.params)}


def spec_from_file(data: Mapping, weights_dir: str | None = None,
                   name: str | None = None) -> ModelSpec:
    """A lab spec from JSON (`spec_json`, or `aecore.analysis.downloads.spec_dict` of a lab
    model): only the name, title and knobs are read, and they are validated (raises LabError).
    `name` replaces the file's name (an upload gets a name that is free in the session)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("params"), Mapping):
        raise LabError("This is not a Lab model's spec (it has no 'params').")
    settings = settings_from(data["params"])
    name = name or str(data.get("name") or "uploaded")
    if not NAME_PATTERN.match(name):
        raise LabError(f"{name!r} is not a usable model name.")
    return make_spec(name, str(data.get("title") or name), settings, weights_dir)


def slug(text: str) -> str:
    """A file-safe model name from what the user typed ('My deep AE!' -> 'my_deep_ae')."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"my_{name}".rstrip("_")
    return name[:40]


def free_name(wanted: str, taken=None) -> str:
    """`slug(wanted)`, or with _2, _3 … when a model of that name exists."""
    taken = set(list_models() if taken is None else taken)
    base = slug(wanted)
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name, n = base[:40 - len(suffix)] + suffix, n + 1
    return name
