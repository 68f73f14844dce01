"""Custom Streamlit components (Components v2, inline JS, no build step)."""

from ui.components.latent_plane import latent_plane

__all__ = ["latent_plane"]
