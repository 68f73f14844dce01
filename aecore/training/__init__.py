"""Training and evaluation (Keras): `python -m aecore.train`, `.evaluate`, `.export`."""
