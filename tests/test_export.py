"""aecore.web: the numpy twin and the browser engine (decoder_engine.js) both match Keras, and
the engine on the shipped browser files matches what the app serves (ONNX) to 1/255."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import keras
import numpy as np
import pytest
from pagetools import CHROMIUM, CHROMIUM_ARGS, require_chromium, require_shipped

from aecore import load_model
from aecore.models.registry import plane_models
from aecore.runtime import store
from aecore.web.decoder_arrays import export_json, load_export, reference_decode
from aecore.web.decoder_export import export_decoder

L = keras.layers
ENGINE_JS = Path(__file__).resolve().parents[1] / "ui" / "components" / "decoder_engine.js"


def _model(inputs, x):
    model = keras.Model(inputs, x)
    rng = np.random.default_rng(1)
    for layer in model.layers:  # non-trivial biases and batch-norm statistics
        for v in layer.weights:
            if v.path.endswith(("bias", "beta", "moving_mean")):
                v.assign(rng.normal(0, 0.1, v.shape).astype("float32"))
            elif v.path.endswith(("gamma", "moving_variance")):
                v.assign(rng.uniform(0.5, 1.5, v.shape).astype("float32"))
    return model


def vae_mlp_decoder():
    z = keras.Input((2,))
    x = L.Dense(256, activation="relu")(z)
    x = L.Dense(784, activation="sigmoid")(x)
    return _model(z, L.Reshape((28, 28))(x))


def vae_conv_decoder():
    z = keras.Input((2,))
    x = L.Dense(128, activation="relu")(z)
    x = L.Dense(14 * 14 * 64, activation="relu")(x)
    x = L.Reshape((14, 14, 64))(x)
    x = L.Conv2DTranspose(64, 3, padding="same", activation="relu")(x)
    x = L.Conv2DTranspose(64, 3, padding="same", activation="relu")(x)
    x = L.Conv2DTranspose(64, 3, strides=2, padding="valid", activation="relu")(x)  # 29x29
    x = L.Conv2D(1, 2, padding="valid", activation="sigmoid")(x)  # 28x28
    return _model(z, L.Reshape((28, 28))(x))


def conv_ae_decoder():
    """The article's conv decoder shape, with both foldable and unfoldable batch norms."""
    z = keras.Input((4, 4, 16))
    x = L.Conv2D(16, 3, padding="same", use_bias=False)(z)
    x = L.BatchNormalization()(x)  # folds into the conv
    x = L.Activation("relu")(x)  # merges into the conv
    x = L.UpSampling2D()(x)
    x = L.Conv2D(16, 3, padding="same", activation="relu", use_bias=False)(x)
    x = L.BatchNormalization()(x)  # after relu: stays an affine op
    x = L.UpSampling2D()(x)
    x = L.Conv2D(32, 3, padding="valid", activation="relu")(x)  # 16 -> 14
    x = L.UpSampling2D()(x)
    return _model(z, L.Conv2D(1, 3, padding="same", activation="sigmoid")(x))


def odd_geometry_decoder():
    """Strides, kernels and paddings where 'same' pads unevenly; other activations."""
    z = keras.Input((2,))
    x = L.Reshape((7, 7, 3))(L.Dense(7 * 7 * 3)(z))
    x = L.Conv2DTranspose(5, 3, strides=2, padding="same", activation="tanh")(x)  # 14
    x = L.LeakyReLU()(L.Conv2DTranspose(4, 4, strides=3, padding="same")(x))  # 42
    x = L.Conv2D(3, 4, strides=2, padding="same", activation="elu")(x)  # 21
    x = L.Conv2D(2, 3, strides=2, padding="valid", activation="softplus")(x)  # 10
    x = L.Conv2DTranspose(2, 2, strides=3, padding="valid")(x)  # 30, kernel < stride
    x = L.Conv2D(1, 3, strides=(1, 2), padding="same", activation="sigmoid")(x)  # 30x15
    return _model(z, x)


BUILDERS = [vae_mlp_decoder, vae_conv_decoder, conv_ae_decoder, odd_geometry_decoder]
# ~10 fixed points, spanning the usual latent range and a little beyond.
POINTS_2D = np.array([[0, 0], [1, 0], [0, 1], [-1.5, 0.5], [2.5, -2.5], [-2.58, 2.58],
                      [0.3, -0.7], [3.5, 3.5], [-4, -1], [0.01, 0.02]], dtype=np.float32)


@pytest.fixture(scope="module")
def decoders():
    keras.utils.set_random_seed(0)
    return {build.__name__: build() for build in BUILDERS}


def _latents(model, n=10):
    shape = tuple(model.inputs[0].shape[1:])
    if shape == (2,):
        return POINTS_2D[:n]
    return np.random.default_rng(2).normal(size=(n, *shape)).astype(np.float32)


@pytest.mark.parametrize("name", [b.__name__ for b in BUILDERS])
def test_reference_decode_matches_keras(decoders, name):
    model = decoders[name]
    z = _latents(model)
    expected = np.asarray(model(z))
    got = reference_decode(export_decoder(model), z.reshape(len(z), -1))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_reference_decode_single_point(decoders):
    export = export_decoder(decoders["vae_mlp_decoder"])
    one = reference_decode(export, [0.5, -0.5])
    assert one.shape == (28, 28)
    np.testing.assert_allclose(one, reference_decode(export, [[0.5, -0.5]])[0])


def test_export_format(decoders):
    export = export_decoder(decoders["vae_conv_decoder"])
    spec = json.loads(json.dumps(export_json(export)))  # JSON-able as is
    assert spec["input_shape"] == [2] and spec["output_shape"] == [28, 28]
    assert [op["op"] for op in spec["layers"]] == [
        "dense", "dense", "reshape", "conv2d_transpose", "conv2d_transpose", "conv2d_transpose",
        "conv2d", "reshape"]  # fmt: skip
    last_t = spec["layers"][5]
    assert last_t["out_shape"] == [29, 29, 64] and last_t["strides"] == [2, 2]
    assert last_t["padding"] == "valid" and last_t["pad"] == [0, 0]
    assert all(a.dtype == np.float32 for a in export["arrays"].values())
    assert export["arrays"]["w0"].shape == (2, 128)
    assert export["id"] == export_decoder(decoders["vae_conv_decoder"])["id"]


def test_batchnorm_folding(decoders):
    ops = [op["op"] for op in export_decoder(decoders["conv_ae_decoder"])["layers"]]
    assert ops == ["conv2d", "upsample", "conv2d", "affine", "upsample", "conv2d", "upsample",
                   "conv2d"]  # fmt: skip


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda z: L.Reshape((1, 1, 2))(z), None),  # supported: sanity check for the harness
        (lambda z: L.LSTM(4)(L.Reshape((1, 2))(z)), "LSTM"),
        (lambda z: L.Dense(4, activation="selu")(z), "selu"),
        (lambda z: L.UpSampling2D(interpolation="bilinear")(L.Reshape((1, 1, 2))(z)), "nearest"),
        (lambda z: L.Conv2D(2, 1, dilation_rate=2)(L.Reshape((1, 1, 2))(z)), "dilation"),
        (lambda z: L.Add()([z, L.Dense(2)(z)]), "chain|Add"),
    ],
)
def test_unsupported_layers_raise(make, match):
    z = keras.Input((2,))
    model = keras.Model(z, make(z))
    if match is None:
        export_decoder(model)
    else:
        with pytest.raises(ValueError, match=match):
            export_decoder(model)


# ---- the JS engine, in headless Chromium -----------------------------------------------------

LOAD_JS = """([spec, b64]) => {
  const arrays = {};
  for (const [name, s] of Object.entries(b64)) {
    const bin = atob(s), u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    arrays[name] = new Float32Array(u8.buffer);
  }
  window.decoder = createDecoder(spec, arrays);
}"""


@pytest.fixture(scope="module")
def engine_page():
    require_chromium()
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_script_tag(content=ENGINE_JS.read_text())
        yield page
        browser.close()


def load_engine(page, export) -> None:
    """Build `window.decoder` in the page from an export (arrays travel as base64)."""
    b64 = {k: base64.b64encode(v.tobytes()).decode() for k, v in export["arrays"].items()}
    page.evaluate(LOAD_JS, [export_json(export), b64])


@pytest.mark.browser
@pytest.mark.parametrize("name", [b.__name__ for b in BUILDERS])
def test_js_engine_matches_keras(decoders, engine_page, name):
    model = decoders[name]
    z = _latents(model).reshape(10, -1)
    expected = np.asarray(model(z.reshape(10, *model.inputs[0].shape[1:]))).reshape(10, -1)
    load_engine(engine_page, export_decoder(model))
    got = js_decode(engine_page, z)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1 / 255


@pytest.mark.browser
def test_js_decode_reuses_its_output_buffer(decoders, engine_page):
    load_engine(engine_page, export_decoder(decoders["vae_mlp_decoder"]))
    same = engine_page.evaluate("""() => {
      const a = window.decoder.decode([0, 0]), first = a[100];
      const b = window.decoder.decode([2, -2]);
      return a === b && b[100] !== first;
    }""")
    assert same


def js_decode(page, z: np.ndarray) -> np.ndarray:
    return np.array(page.evaluate(
        "(zs) => zs.map((z) => Array.from(window.decoder.decode(z)))", z.tolist()))


@pytest.mark.browser
@pytest.mark.parametrize("name", plane_models())
def test_js_engine_on_the_shipped_file_matches_the_served_decoder(engine_page, name):
    """The arrays the app sends to the browser (weights/browser/<name>.npz) decode like the
    ONNX model aecore serves, to 1/255 per pixel."""
    require_shipped(name, store.read_manifest()["models"])
    model = load_model(name)
    load_engine(engine_page, load_export(model.browser_file))
    z = np.concatenate([POINTS_2D, np.random.default_rng(5).normal(0, 1.5, (20, 2))])
    got = js_decode(engine_page, z.astype(np.float32))
    expected = model.decode(z).reshape(len(z), -1)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1 / 255
