"""The lab's knobs: a starting point (variant) and every setting, kept in the session."""

from __future__ import annotations

import streamlit as st

from aecore.models import lab
from ui import address

L1_STEPS = (0.0, 1e-6, 1e-5, 1e-4, 1e-3)
LR_STEPS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
BATCH_STEPS = (16, 32, 64, 128, 256)
IMAGE_STEPS = (500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000)
PRESET = "lab_preset"
KNOBS = {  # session key: LabSettings field
    "lab_code_size": "code_size", "lab_hidden": "hidden", "lab_activation": "code_activation",
    "lab_l1": "l1", "lab_noise": "noise", "lab_epochs": "epochs", "lab_lr": "learning_rate",
    "lab_batch": "batch_size", "lab_images": "train_images", "lab_seed": "seed",
}


def apply_preset() -> None:
    """Set every knob to the chosen variant's starting values (and suggest a name)."""
    key = st.session_state.get(PRESET) or next(iter(lab.PRESETS))
    preset = lab.PRESETS[key]
    for widget, knob in KNOBS.items():
        value = getattr(preset.settings, knob)
        st.session_state[widget] = ", ".join(map(str, value)) if knob == "hidden" else value
    st.session_state["lab_title"] = f"My {preset.title[0].lower()}{preset.title[1:]}"


def hidden_units(text: str) -> tuple[int, ...]:
    """'128, 64' -> (128, 64); raises LabError for anything else."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise lab.LabError(f"Write the layer sizes as whole numbers, e.g. 128, 64 (got "
                           f"{text!r}).") from None


def _architecture(family: str) -> None:
    conv, dense = family == "conv", family == "dense"
    a, b = st.columns(2)
    a.text_input("Filters per stage (3)" if conv else "Hidden layers (encoder side)",
                 key="lab_hidden", help="Sizes separated by commas, e.g. 128, 64; the decoder "
                 "mirrors them. Empty: the code sits right after the input." if not conv else
                 "Three convolution stages, e.g. 16, 8, 8; the code is 4×4×the last one.")
    b.number_input("Code size", 2, 256, key="lab_code_size", disabled=conv,
                   help="How many numbers each image is squeezed into (2: you get a plane to "
                   "explore)." + (" A conv code is 4×4×filters." if conv else ""))
    a.radio("Code activation", ("relu", "linear"), key="lab_activation", horizontal=True,
            disabled=not dense, help="linear lets a 2-D code use the whole plane")
    b.select_slider("L1 on the code", L1_STEPS, key="lab_l1", disabled=not dense,
                    format_func=lambda v: f"{v:g}",
                    help="A penalty on how strongly code units fire: sparser codes.")
    st.slider("Input noise σ (denoising)", 0.0, 0.8, step=0.05, key="lab_noise",
              disabled=family == "vae",
              help="Gaussian noise added to the training inputs; the target stays clean.")


def _training() -> None:
    a, b = st.columns(2)
    a.slider("Epochs", 1, 50, key="lab_epochs")
    b.select_slider("Learning rate", LR_STEPS, key="lab_lr", format_func=lambda v: f"{v:g}")
    a.select_slider("Batch size", BATCH_STEPS, key="lab_batch")
    b.select_slider("Training images", IMAGE_STEPS, key="lab_images",
                    format_func=lambda v: f"{v:,}")
    a.number_input("Seed", 0, 1_000_000, key="lab_seed",
                   help="Same settings and seed: the same curve, every time.")


def knobs() -> tuple[lab.LabSettings, str]:
    """The widgets; returns the chosen settings (not yet validated) and the model's title."""
    if "lab_epochs" not in st.session_state:
        apply_preset()
    key = st.selectbox("Variant", list(lab.PRESETS), key=PRESET, on_change=apply_preset,
                       format_func=lambda k: lab.PRESETS[k].title)
    family = lab.PRESETS[key].settings.family
    st.caption(lab.PRESETS[key].summary)
    _architecture(family)
    _training()
    title = st.text_input("Name", key="lab_title", max_chars=60,
                          help="How your model is listed on every page (you can rename it).")
    values = {knob: st.session_state[widget] for widget, knob in KNOBS.items()}
    values["hidden"] = hidden_units(values["hidden"])
    return lab.LabSettings(family=family, **values), title


# --- the knobs in the page address (ui.address): a teacher can link a configuration -------------

def _preset_value(knob: str):
    """The current variant's starting value of a knob (as its widget holds it)."""
    key = st.session_state.get(PRESET) or next(iter(lab.PRESETS))
    value = getattr(lab.PRESETS[key].settings, knob)
    return ", ".join(map(str, value)) if knob == "hidden" else value


def _hidden(text: str) -> str:
    try:
        return ", ".join(map(str, hidden_units(text)))
    except lab.LabError as exc:
        raise ValueError(str(exc)) from None


def address_params() -> list[address.Param]:
    """`variant=vae&code=2&epochs=5`: the variant first (it resets every knob), then the knobs
    that differ from its starting values."""
    def start(knob: str):
        return lambda: _preset_value(knob)

    return [
        address.pick("variant", PRESET, list(lab.PRESETS), next(iter(lab.PRESETS)),
                     after=apply_preset),
        address.Param("hidden", "lab_hidden", _hidden,
                      lambda t: address.join_list(address.split_list(t)), start("hidden")),
        address.whole("code", "lab_code_size", 2, 256, start("code_size")),
        address.pick("activation", "lab_activation", ("relu", "linear"),
                     start("code_activation")),
        address.step("l1", "lab_l1", L1_STEPS, start("l1")),
        address.num("noise", "lab_noise", 0.0, 0.8, start("noise"), step=0.05),
        address.whole("epochs", "lab_epochs", 1, 50, start("epochs")),
        address.step("lr", "lab_lr", LR_STEPS, start("learning_rate")),
        address.step("batch", "lab_batch", BATCH_STEPS, start("batch_size")),
        address.step("images", "lab_images", IMAGE_STEPS, start("train_images")),
        address.whole("seed", "lab_seed", 0, 1_000_000, start("seed")),
    ]
