"""Export a Keras decoder to plain arrays for the browser decoder (used at export time).

``export_decoder(decoder)`` walks a single-chain functional decoder and returns::

    {"format": 1, "id": <sha1 of the arrays>, "input_shape": [...], "output_shape": [...],
     "layers": [<op dict>, ...], "arrays": {"w0": float32 ndarray, "b0": ..., ...}}

Shapes leave out the batch axis and are channels-last; every op reads and writes a flat
float32 buffer in row-major (H, W, C) order. Ops:

- ``dense``: y = x @ w + b, ``w`` is (in, out).
- ``conv2d``: ``w`` is (kh, kw, cin, cout); ``pad`` = [top, left] computed as TensorFlow does.
- ``conv2d_transpose``: ``w`` is (kh, kw, cin, cout) like conv2d's (Keras stores (kh, kw, cout,
  cin)); output pixel = input pixel * stride + k - pad. (The JS engine re-lays both conv
  kernels out for its own loops at load time.)
- ``upsample`` (nearest), ``affine`` (per-channel scale and shift: an unfoldable
  BatchNormalization), ``act`` (a standalone activation), ``reshape`` (no-op on flat buffers).

Linear ops carry ``act`` (linear, relu, sigmoid, tanh, elu, softplus, leaky_relu with ``alpha``)
and ``b`` (a bias name or None). BatchNormalization right after a linear op without
activation is folded into its weights. ``aecore.web.decoder_arrays`` saves, loads and runs
an export without Keras.
"""

from __future__ import annotations

import hashlib

import keras
import numpy as np

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "elu", "softplus", "leaky_relu")
_IDENTITY = (keras.layers.Dropout, keras.layers.GaussianNoise, keras.layers.GaussianDropout)


def _act(fn, where: str) -> dict:
    name = getattr(fn, "__name__", str(fn))
    if name not in ACTIVATIONS:
        raise ValueError(f"{where}: activation {name!r} is not supported by the browser decoder")
    return {"act": name, "alpha": 0.2} if name == "leaky_relu" else {"act": name}


def _shape(tensor) -> list[int]:
    return [int(d) for d in tensor.shape[1:]]


def _pairs(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _conv_geometry(layer, transpose: bool) -> dict:
    where = f"{type(layer).__name__} {layer.name!r}"
    if layer.data_format != "channels_last":
        raise ValueError(f"{where}: only channels_last is supported")
    if _pairs(layer.dilation_rate) != (1, 1) or getattr(layer, "groups", 1) != 1:
        raise ValueError(f"{where}: dilation and groups are not supported")
    if getattr(layer, "output_padding", None) is not None:
        raise ValueError(f"{where}: output_padding is not supported")
    ih, iw, _ = _shape(layer.input)
    oh, ow, _ = _shape(layer.output)
    (kh, kw), (sh, sw) = _pairs(layer.kernel_size), _pairs(layer.strides)
    pad = [0, 0]
    if layer.padding == "same":
        # TensorFlow's rule: total = max((small - 1) * s + k - big, 0), the extra one at the end.
        small, big = ((ih, iw), (oh, ow)) if transpose else ((oh, ow), (ih, iw))
        pad = [max((small[i] - 1) * s + k - big[i], 0) // 2
               for i, (s, k) in enumerate(((sh, kh), (sw, kw)))]
    elif layer.padding != "valid":
        raise ValueError(f"{where}: padding {layer.padding!r} is not supported")
    return {"kernel": [kh, kw], "strides": [sh, sw], "padding": layer.padding, "pad": pad}


def _leaves(model: keras.Model):
    """Yield the non-input layers of a single-chain model, descending into nested models."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError("the decoder must have exactly one input and one output")
    prev = model.inputs[0]
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if layer.input is not prev:
            raise ValueError(f"layer {layer.name!r} does not follow the previous one: "
                             "only a single chain of layers can be exported")
        if isinstance(layer, keras.Model):
            yield from _leaves(layer)
        else:
            yield layer
        prev = layer.output
    if prev is not model.outputs[0]:
        raise ValueError("the decoder's output is not its last layer's output")


def export_decoder(decoder: keras.Model) -> dict:
    """Return the decoder as a JSON-able op list plus named float32 arrays (see module doc)."""
    layers: list[dict] = []
    arrays: dict[str, np.ndarray] = {}

    def add(array, prefix: str) -> str:
        name = f"{prefix}{len(layers)}"
        arrays[name] = np.ascontiguousarray(array, dtype=np.float32)
        return name

    L = keras.layers
    for layer in _leaves(decoder):
        where = f"{type(layer).__name__} {layer.name!r}"
        out_shape = _shape(layer.output)
        bias = getattr(layer, "bias", None)
        if isinstance(layer, L.Dense):
            if len(layer.input.shape) != 2:
                raise ValueError(f"{where}: Dense is only supported on flat inputs")
            w = layer.kernel.numpy()
            op = {"op": "dense", "in_shape": _shape(layer.input), "w": add(w, "w")}
        elif isinstance(layer, (L.Conv2DTranspose, L.Conv2D)):
            transpose = isinstance(layer, L.Conv2DTranspose)
            w = layer.kernel.numpy()
            if transpose:  # Keras stores (kh, kw, cout, cin)
                w = w.transpose(0, 1, 3, 2)
            op = {"op": "conv2d_transpose" if transpose else "conv2d",
                  "in_shape": _shape(layer.input), **_conv_geometry(layer, transpose),
                  "w": add(w, "w")}
        elif isinstance(layer, L.UpSampling2D):
            if layer.interpolation != "nearest" or layer.data_format != "channels_last":
                raise ValueError(f"{where}: only nearest, channels_last upsampling is supported")
            op = {"op": "upsample", "in_shape": _shape(layer.input),
                  "size": list(_pairs(layer.size))}
        elif isinstance(layer, L.BatchNormalization):
            _batchnorm(layer, layers, arrays, add, where, out_shape)
            continue
        elif isinstance(layer, L.Activation):
            op = {"op": "act", **_act(layer.activation, where)}
        elif isinstance(layer, L.ReLU):
            cfg = layer.get_config()
            if cfg["max_value"] is not None or cfg["negative_slope"] or cfg["threshold"]:
                raise ValueError(f"{where}: only a plain ReLU is supported")
            op = {"op": "act", "act": "relu"}
        elif isinstance(layer, L.LeakyReLU):
            op = {"op": "act", "act": "leaky_relu", "alpha": float(layer.negative_slope)}
        elif isinstance(layer, (L.Reshape, L.Flatten)):
            op = {"op": "reshape"}
        elif isinstance(layer, _IDENTITY):
            continue
        else:
            raise ValueError(f"{where}: layer type is not supported by the browser decoder")
        if op["op"] in ("dense", "conv2d", "conv2d_transpose"):
            op["b"] = add(bias.numpy(), "b") if bias is not None else None
            op.update(_act(layer.activation, where))
        if op["op"] == "act" and layers and layers[-1].get("act") == "linear":
            layers[-1].update({k: v for k, v in op.items() if k != "op"})  # merge into previous
            continue
        op["out_shape"] = out_shape
        layers.append(op)

    digest = hashlib.sha1()
    for name in sorted(arrays):
        digest.update(name.encode() + arrays[name].tobytes())
    return {"format": 1, "id": digest.hexdigest()[:16], "input_shape": _shape(decoder.inputs[0]),
            "output_shape": _shape(decoder.outputs[0]), "layers": layers, "arrays": arrays}


def _batchnorm(layer, layers, arrays, add, where, out_shape) -> None:
    if layer.axis not in (-1, len(layer.input.shape) - 1):
        raise ValueError(f"{where}: only BatchNormalization over the last axis is supported")
    mean, var = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    scale = 1.0 / np.sqrt(var + layer.epsilon)
    if layer.gamma is not None:
        scale = scale * layer.gamma.numpy()
    shift = -mean * scale + (layer.beta.numpy() if layer.beta is not None else 0.0)
    prev = layers[-1] if layers else None
    if prev and prev.get("act") == "linear" and "w" in prev:
        arrays[prev["w"]] = (arrays[prev["w"]] * scale).astype(np.float32)  # cout is the last axis
        b = arrays[prev["b"]] * scale + shift if prev["b"] else shift
        prev["b"] = prev["b"] or prev["w"].replace("w", "b", 1)
        arrays[prev["b"]] = np.asarray(b, dtype=np.float32)
    else:
        layers.append({"op": "affine", "scale": add(scale, "s"), "shift": add(shift, "t"),
                       "out_shape": out_shape})
