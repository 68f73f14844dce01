"""The browser decoder's arrays without Keras: save and load them, and decode in numpy.

`aecore.web.decoder_export.export_decoder` (Keras, at export time) walks a decoder into an op
list plus named float32 arrays; `save_export` writes them into one `.npz` file beside the ONNX
files, `load_export` reads it back in the serving process, and `reference_decode` runs it in
numpy exactly as the JS engine does (the tests compare the two).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from aecore.errors import WeightsError
from aecore.files import atomic_write_bytes

LAYOUT_KEY = "__layout__"


def save_export(export: dict, path: Path) -> None:
    """Write an export (op list as JSON plus its arrays) atomically into one .npz file."""
    buffer = io.BytesIO()
    layout = json.dumps(export_json(export))
    np.savez(buffer, **{LAYOUT_KEY: np.frombuffer(layout.encode(), np.uint8)},
             **export["arrays"])
    atomic_write_bytes(path, buffer.getvalue())


def load_export(path: Path) -> dict:
    """An export as `save_export` wrote it (raises WeightsError for an unreadable file)."""
    try:
        with np.load(path) as stored:
            export = json.loads(stored[LAYOUT_KEY].tobytes().decode())
            export["arrays"] = {k: stored[k] for k in stored.files if k != LAYOUT_KEY}
    except (OSError, KeyError, ValueError) as exc:
        raise WeightsError(f"{path} is not a browser decoder file ({exc}). Rebuild it: "
                           "python -m aecore.export --model all") from exc
    return export


def _activate(x: np.ndarray, op: dict) -> np.ndarray:
    act = op["act"]
    if act == "relu":
        return np.maximum(x, 0)
    if act == "sigmoid":
        return 0.5 * (1 + np.tanh(0.5 * x))  # sigmoid without overflow
    if act == "tanh":
        return np.tanh(x)
    if act == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if act == "softplus":
        return np.logaddexp(x, 0)
    if act == "leaky_relu":
        return np.where(x >= 0, x, op["alpha"] * x)
    return x


def _conv2d(x, w, op):
    (kh, kw), (sh, sw), (pt, pl) = op["kernel"], op["strides"], op["pad"]
    oh, ow, _ = op["out_shape"]
    n, ih, iw, c = x.shape
    need_h, need_w = (oh - 1) * sh + kh, (ow - 1) * sw + kw
    xp = np.zeros((n, max(need_h, ih + pt), max(need_w, iw + pl), c), x.dtype)
    xp[:, pt:pt + ih, pl:pl + iw] = x
    y = 0
    for ky in range(kh):
        for kx in range(kw):
            y = y + xp[:, ky:ky + (oh - 1) * sh + 1:sh, kx:kx + (ow - 1) * sw + 1:sw] @ w[ky, kx]
    return y


def _conv2d_transpose(x, w, op):
    (kh, kw), (sh, sw), (pt, pl) = op["kernel"], op["strides"], op["pad"]
    oh, ow, co = op["out_shape"]
    n, ih, iw, _ = x.shape
    full = np.zeros((n, max((ih - 1) * sh + kh, pt + oh), max((iw - 1) * sw + kw, pl + ow), co),
                    x.dtype)
    for ky in range(kh):
        for kx in range(kw):
            full[:, ky:ky + (ih - 1) * sh + 1:sh, kx:kx + (iw - 1) * sw + 1:sw] += x @ w[ky, kx]
    return full[:, pt:pt + oh, pl:pl + ow]


def reference_decode(export: dict, z) -> np.ndarray:
    """Decode latent points with an export in numpy: (d,) -> output, (n, d) -> (n, *output)."""
    arrays = export["arrays"]
    z = np.asarray(z, dtype=np.float32)
    single = z.ndim == 1
    n = 1 if single else z.shape[0]
    x = z.reshape(n, *export["input_shape"])
    for op in export["layers"]:
        kind = op["op"]
        if kind == "dense":
            x = x.reshape(n, -1) @ arrays[op["w"]]
        elif kind == "conv2d":
            x = _conv2d(x.reshape(n, *op["in_shape"]), arrays[op["w"]], op)
        elif kind == "conv2d_transpose":
            x = _conv2d_transpose(x.reshape(n, *op["in_shape"]), arrays[op["w"]], op)
        elif kind == "upsample":
            sy, sx = op["size"]
            x = x.reshape(n, *op["in_shape"]).repeat(sy, axis=1).repeat(sx, axis=2)
        elif kind == "affine":
            x = x.reshape(n, *op["out_shape"]) * arrays[op["scale"]] + arrays[op["shift"]]
        if kind in ("dense", "conv2d", "conv2d_transpose") and op["b"]:
            x = x + arrays[op["b"]]
        if "act" in op:
            x = _activate(x, op)
        x = x.reshape(n, *op["out_shape"]).astype(np.float32, copy=False)
    x = x.reshape(n, *export["output_shape"])
    return x[0] if single else x


def export_json(export: dict) -> dict:
    """The export's JSON-able part (everything but the arrays)."""
    return {k: v for k, v in export.items() if k != "arrays"}

