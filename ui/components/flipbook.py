"""A slider whose every position is drawn in advance: moving it only swaps pictures.

Python renders one HTML frame per slider value (e.g. the Denoiser's images and chart at each
noise level) and sends them once; the browser shows the frame of the slider's value as it moves
(no round trip, so it keeps up with a held arrow key or a drag) and reports the value to Python
when the user lets go (`result.value`). The slider is a native range input with a visible
label, so keyboards (arrows, Home/End, Page Up/Down) and screen readers work as usual; a polite
live region reads each frame's summary once the slider rests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

from ui import gallery

HERE = Path(__file__).parent
HTML = """<div class="fb-root">
  <div class="fb-control">
    <label class="fb-label"></label>
    <div class="fb-row">
      <input type="range" class="fb-range"><output class="fb-value"></output>
    </div>
    <div class="fb-help"></div>
  </div>
  <div class="fb-frame"></div>
  <div class="fb-live" role="status" aria-live="polite" aria-atomic="true"></div>
</div>"""

_component = st.components.v2.component(
    "flipbook",
    html=HTML,
    css=(HERE / "flipbook.css").read_text() + gallery.RULES,
    js=(HERE / "mount_once.js").read_text() + "\n" + (HERE / "flipbook.js").read_text(),
)


def _noop() -> None:
    pass


def nearest_index(values: Sequence[float], value: float) -> int:
    """The position of the slider value closest to `value`."""
    return min(range(len(values)), key=lambda i: abs(values[i] - value))


def flipbook(key: str, label: str, values: Sequence[float], value: float,
             frames: Sequence[str], summaries: Sequence[str], help: str = "",
             on_change: Callable[[], None] | None = None, fmt: str = "{:g}"):
    """Mount the slider and its frames; ``result.value`` is the last released value.

    values: the slider's positions, ascending. frames: one HTML string per value (styled by
    the gallery's rules). summaries: one sentence per value for screen readers. value: the
    position shown; the slider moves there when this changes between runs.
    """
    if not (len(values) == len(frames) == len(summaries)) or not values:
        raise ValueError("flipbook needs one frame and one summary per slider value")
    data = {
        "label": label,
        "help": help,
        "values": [float(v) for v in values],
        "texts": [fmt.format(v) for v in values],
        "index": nearest_index(values, value),
        "frames": list(frames),
        "summaries": list(summaries),
    }
    return _component(
        key=key,
        data=[data],   # a list, not a dict: Streamlit scans a dict for dataframes (pandas)
        default={"value": float(values[data["index"]])},
        on_value_change=on_change or _noop,
    )
