"""Errors the UI can show as-is: each message says what is wrong and how to fix it."""


class DatasetNotFound(RuntimeError):
    """Fashion-MNIST could not be found locally or downloaded."""


class WeightsError(RuntimeError):
    """A weights file is missing, damaged or does not match its model."""


class InvalidImage(ValueError):
    """Uploaded bytes are not a usable image."""
