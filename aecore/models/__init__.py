"""Keras 3 functional builders for the variants (backend-agnostic: keras.ops only).

The registry (`aecore.models.registry`) names them; importing this package loads no Keras.
"""
