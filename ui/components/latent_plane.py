"""The latent plane: drag a marker over the 2-D latent space, the browser decodes live.

Usable without a mouse: it is focusable, the arrow keys move the marker, and a live region says
where the marker is and which class lies nearest. Classes differ in colour and shape.

The decoder runs in the browser (decoder_engine.js) on weights from ``aecore.web``, so
dragging needs no Python round trip; the point reaches Python on release as ``result.point``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import streamlit as st

from aecore.analysis.latent import plane_extent
from aecore.web.decoder_arrays import export_json
from ui import CLASS_COLORS, CLASS_SYMBOLS, PALETTE_NOTE

HERE = Path(__file__).parent
HTML = """<div class="lp-root">
  <div class="lp-plot">
    <canvas class="latent-plane" tabindex="0" role="application"
      aria-roledescription="latent plane" aria-label="Latent plane"
      aria-describedby="lp-hint"></canvas>
    <div class="lp-legend"></div>
  </div>
  <div class="lp-side">
    <canvas class="decoded" width="280" height="280" role="img"
      aria-label="The picture the decoder paints for the marker's point"></canvas>
    <div class="lp-readout" aria-hidden="true"></div>
    <div class="lp-live" role="status" aria-live="polite" aria-atomic="true"></div>
    <div class="lp-hint" id="lp-hint">Drag the marker, or focus the plane and use the arrow
      keys (Shift: bigger steps): the image is decoded in your browser as you move.</div>
  </div>
</div>"""

_component = st.components.v2.component(
    "latent_plane",
    html=HTML,
    css=(HERE / "latent_plane.css").read_text(),
    js="\n".join((HERE / name).read_text()
                  for name in ("decoder_engine.js", "mount_once.js", "latent_plane.js")),
)


def _noop() -> None:
    pass


def packed(array, dtype) -> dict:
    """A flat array for the browser as base64 of its little-endian bytes (the JS `column`).

    Plain JSON, not Streamlit's Arrow path: that one needs pyarrow and pandas in the server.
    """
    flat = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).reshape(-1)
    return {"dtype": np.dtype(dtype).name, "b64": base64.b64encode(flat.tobytes()).decode("ascii")}


def latent_plane(
    key: str,
    export: dict,
    points: np.ndarray,
    labels: np.ndarray | None,
    class_names: Sequence[str],
    point: Sequence[float] = (0.0, 0.0),
    extent: Sequence[float] | None = None,
    path: np.ndarray | None = None,
    extra: dict | None = None,
    on_change: Callable[[], None] | None = None,
    label: str = "Latent plane",
):
    """Mount the plane; ``result.point`` is the last released [x, y] (``point`` until then).

    export: ``aecore.web.decoder_arrays.load_export`` of a decoder with a 2-D input.
    points, labels: (n, 2) latent means and their class indices (labels may be None).
    point: where the marker goes; it moves when this value changes between runs.
    extent: (x0, x1, y0, y1); by default it covers the points. path: (m, 2) polyline overlay.
    extra: {"xy": [x, y], "label": str} draws a second, labelled marker.
    label: what assistive technology calls the plane (e.g. "Latent plane of the VAE").

    Keyboard: the plane takes focus (visible outline) and the arrow keys move the marker; a
    live region announces the point and the class of the nearest test image once it rests.
    """
    if export["input_shape"] != [2]:
        raise ValueError(f"the latent plane needs a 2-D latent, got {export['input_shape']}")
    points = np.ascontiguousarray(points, dtype=np.float32).reshape(-1, 2)
    labels = None if labels is None else np.asarray(labels, dtype=np.uint8)
    digest = hashlib.sha1(points.tobytes() + (b"" if labels is None else labels.tobytes()))
    data = {
        "model": export_json(export),
        **{name: packed(a, np.float32) for name, a in export["arrays"].items()},
        "points": packed(points, np.float32),
        "labels": None if labels is None else packed(labels, np.uint8),
        "points_id": digest.hexdigest()[:16],
        "class_names": list(class_names),
        "colors": list(CLASS_COLORS),
        "symbols": list(CLASS_SYMBOLS),
        "legend_note": PALETTE_NOTE,
        "label": label,
        "extent": [float(v) for v in (extent if extent is not None else plane_extent(points))],
        "point": [float(point[0]), float(point[1])],
        "path": None if path is None else np.asarray(path, dtype=float).reshape(-1, 2).tolist(),
        "extra": extra,
    }
    return _component(
        key=key,
        data=[data],   # a list, not a dict: Streamlit scans a dict for dataframes (imports pandas)
        default={"point": data["point"]},
        on_point_change=on_change or _noop,
    )
