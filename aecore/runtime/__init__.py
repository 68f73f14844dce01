"""Serving: the trained-model API over ONNX Runtime, the weights store, cached codes."""
