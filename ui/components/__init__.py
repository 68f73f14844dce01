"""Custom Streamlit components (Components v2, inline JS, no build step)."""

from ui.components.latent_plane import TAB10, latent_plane

__all__ = ["TAB10", "latent_plane"]
