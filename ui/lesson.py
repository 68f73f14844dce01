"""The guided lesson's machinery: which registry models play which part, the shared pictures,
and the predict-then-reveal widgets. The steps themselves are in ui/lesson_steps.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st

import aecore
from aecore.data import sample_indices
from aecore.models import registry
from ui import cache, gallery, sidebar

STEP_KEY = "lesson_step"
PER_CLASS = 20  # test pictures per class behind the computed answers


@dataclass(frozen=True)
class Cast:
    """The models each step uses, found by role or property (never by name)."""

    shallow: str | None
    deep: str | None
    conv: str | None
    denoiser: str | None
    baseline: str | None
    vae: str | None      # a variational model with a 2-D code
    plain: str | None    # a plain (not variational) model with a 2-D code


def _first(test: Callable[[aecore.ModelSpec], bool]) -> str | None:
    return next((s.name for s in registry.all_specs() if test(s)), None)


def cast() -> Cast:
    ready = set(cache.ready_models())

    def plane(vae: bool) -> str | None:  # a servable one first
        return (_first(lambda s: s.has_plane and s.is_vae == vae and s.name in ready)
                or _first(lambda s: s.has_plane and s.is_vae == vae))

    return Cast(shallow=registry.with_role(registry.ROLE_SHALLOW),
                deep=registry.with_role(registry.ROLE_DEEP),
                conv=registry.with_role(registry.ROLE_CONVOLUTIONAL),
                denoiser=registry.with_role(registry.ROLE_DENOISER),
                baseline=registry.with_role(registry.ROLE_DENOISER_BASELINE),
                vae=plane(True), plain=plane(False))


def title(name: str) -> str:
    return aecore.get_spec(name).title


def loaded(step: str, *names: str | None) -> bool:
    """True when every model loads; otherwise a notice (with the fix) and False."""
    if any(name is None for name in names):
        st.info("The registry has no model for this part of the lesson, so its live view is "
                "left out.")
        return False
    return all([sidebar.model_or_notice(n, key=f"lesson_{step}") is not None for n in names])


# --- the pictures the steps share -------------------------------------------------------------

def class_name(c: int) -> str:
    return aecore.CLASS_NAMES[int(c)]


def balanced() -> tuple[np.ndarray, np.ndarray]:
    """A fixed class-balanced set of test pictures (PER_CLASS of each class) and their labels."""
    split = cache.test_set()
    index = sample_indices(split.y, min(PER_CLASS, int(np.bincount(split.y).min())), seed=0)
    return split.x[index], split.y[index]


def one_each(count: int = 8) -> tuple[np.ndarray, list[str]]:
    """The first picture of `count` different classes, with captions like the chooser's."""
    split = cache.test_set()
    index = [int(np.flatnonzero(split.y == c)[0]) for c in range(count)]
    return split.x[index], [f"#{i} {class_name(split.y[i])}" for i in index]


def first_of(cls: int) -> tuple[np.ndarray, str]:
    split = cache.test_set()
    i = int(np.flatnonzero(split.y == cls)[0])
    return split.x[i], f"#{i} {class_name(cls)}"


def rows(images, captions: Sequence[str], outputs: dict[str, tuple[np.ndarray, list[str]]],
         first: str = "**Original**") -> None:
    """The pictures on top and one labelled row per model: outputs = {label: (images, captions)}."""
    gallery.image_grid([(first, list(images), list(captions)),
                        *((f"**{label}**", list(out), caps) for label, (out, caps)
                          in outputs.items())])


# --- predict, then reveal ---------------------------------------------------------------------

def revealed(step: str) -> bool:
    return bool(st.session_state.get(f"lesson_revealed_{step}"))


def _set_revealed(step: str, value: bool) -> None:
    st.session_state[f"lesson_revealed_{step}"] = value


def check_button(step: str, ready: bool = True) -> bool:
    """'Check my prediction' until pressed; then 'Try again'. Returns whether it is revealed."""
    if not revealed(step):
        st.button("Check my prediction", key=f"lesson_check_{step}", type="primary",
                  disabled=not ready, on_click=_set_revealed, args=(step, True))
        return False
    st.button("Hide the answer and try again", key=f"lesson_again_{step}",
              on_click=_set_revealed, args=(step, False))
    return True


def ask(step: str, question: str, options: Sequence, format_func: Callable = str):
    """A question with no answer picked; returns the prediction once it has been checked."""
    guess = st.radio(f"**Predict:** {question}", options, index=None, format_func=format_func,
                     key=f"lesson_guess_{step}", persist_state="session",
                     disabled=revealed(step))
    return guess if check_button(step, ready=guess is not None) else None


def verdict(right: bool, answer: str) -> None:
    """Say whether the prediction matched what was computed, then the answer."""
    if right:
        st.success(f"**You predicted it.** {answer}", icon=":material/check_circle:")
    else:
        st.info(f"**Not quite.** {answer}", icon=":material/lightbulb:")
