"""Keras 3 functional builders for the eight variants (backend-agnostic: keras.ops only)."""

from aecore.models.common import Built

__all__ = ["Built"]
