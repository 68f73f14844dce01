"""What the pages compute: metrics, comparisons, denoising sweeps, latent geometry, tables."""
