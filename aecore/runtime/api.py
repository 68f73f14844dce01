"""The small object the UI works with: a trained model with numpy-in, numpy-out methods.

`load_model` serves through ONNX Runtime (no Keras or TensorFlow in the process); training
wraps its Keras models in the same `TrainedModel` (`aecore.training.weights.keras_model`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from aecore.errors import WeightsError
from aecore.models.registry import ModelSpec, get_spec
from aecore.runtime.store import serving_paths

BATCH = 1024
Run = Callable[[np.ndarray], "np.ndarray | list[np.ndarray]"]


def as_images(x) -> np.ndarray:
    """Accept one image (28, 28), a batch (n, 28, 28) or flat rows (n, 784)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2 and x.shape == (28, 28):
        x = x[None]
    if x.ndim == 2 and x.shape[1] == 784:
        x = x.reshape(-1, 28, 28)
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"Expected images of shape (n, 28, 28), got {x.shape}.")
    return np.ascontiguousarray(x)


def call_in_batches(run: Run, x: np.ndarray, batch: int = BATCH):
    """Run a model function over `x` in batches; numpy out (an array or a list of them)."""
    outputs = [run(x[start:start + batch]) for start in range(0, max(len(x), 1), batch)]
    if isinstance(outputs[0], list | tuple):
        return [np.concatenate(parts) for parts in zip(*outputs, strict=True)]
    return np.concatenate(outputs)


class OnnxFunction:
    """One ONNX file as a numpy function: one thread, no memory arena (small, steady RSS)."""

    def __init__(self, path: Path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own types for a bad file
            raise WeightsError(f"{path} could not be read by ONNX Runtime ({exc}). Rebuild it: "
                               "python -m aecore.export --model all") from exc
        self.input = self.session.get_inputs()[0].name
        self.several = len(self.session.get_outputs()) > 1

    def __call__(self, x: np.ndarray):
        out = self.session.run(None, {self.input: np.ascontiguousarray(x, dtype=np.float32)})
        return out if self.several else out[0]


class TrainedModel:
    """A trained variant: `.encode`, `.decode`, `.reconstruct` on numpy arrays."""

    def __init__(self, spec: ModelSpec, encode: Run, decode: Run, entry: dict | None = None,
                 browser_file: Path | None = None):
        self.spec = spec
        self.entry = entry or {}
        self.browser_file = browser_file
        self._encode = encode
        self._decode = decode

    @property
    def name(self) -> str:
        return self.spec.name

    def encode_distribution(self, x) -> tuple[np.ndarray, np.ndarray]:
        """(z_mean, z_log_var) of a VAE."""
        if not self.spec.is_vae:
            raise TypeError(f"{self.name} is not variational.")
        z_mean, z_log_var = call_in_batches(self._encode, as_images(x))
        return z_mean, z_log_var

    def encode(self, x) -> np.ndarray:
        """Flat codes (n, latent_dim); z_mean for VAEs."""
        if self.spec.is_vae:
            return self.encode_distribution(x)[0]
        codes = call_in_batches(self._encode, as_images(x))
        return codes.reshape(len(codes), -1)

    def decode(self, z) -> np.ndarray:
        """Images (n, 28, 28) from flat codes (n, latent_dim)."""
        z = np.asarray(z, dtype=np.float32).reshape(-1, self.spec.latent_dim)
        return call_in_batches(self._decode, z).reshape(-1, 28, 28)

    def reconstruct(self, x) -> np.ndarray:
        return self.decode(self.encode(x))


def load_model(name: str, weights_dir: str | Path | None = None) -> TrainedModel:
    """The trained variant `name`, served by ONNX Runtime (raises WeightsError with the fix)."""
    spec = get_spec(name)
    entry, paths = serving_paths(name, weights_dir)
    return TrainedModel(spec, OnnxFunction(paths["encoder"]), OnnxFunction(paths["decoder"]),
                        entry, browser_file=paths.get("browser"))
