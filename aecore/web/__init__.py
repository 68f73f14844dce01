"""What the browser runs: the latent plane's decoder, exported to plain arrays."""
