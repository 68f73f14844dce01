"""The one list of pages: app.py navigates it, the tests run every entry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The tab's icon, served by the app itself: a material-icon favicon makes every browser fetch
# an SVG from fonts.gstatic.com, which an offline classroom cannot reach. A top from the
# shipped sample of Fashion-MNIST, 64x64.
FAVICON = Path(__file__).with_name("favicon.png")


@dataclass(frozen=True)
class PageEntry:
    path: str      # relative to the project root
    title: str
    icon: str

    @property
    def url_path(self) -> str:
        """The page's address path (its file name; the default page is also served at "/")."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: tuple[PageEntry, ...] = (
    PageEntry("views/overview.py", "Overview", ":material/home:"),
    PageEntry("views/lesson.py", "Lesson", ":material/school:"),
    PageEntry("views/compare.py", "Compare reconstructions", ":material/compare:"),
    PageEntry("views/denoiser.py", "Denoiser", ":material/blur_off:"),
    PageEntry("views/latent_space.py", "Latent space", ":material/scatter_plot:"),
    PageEntry("views/latent_explorer.py", "Latent explorer", ":material/explore:"),
    PageEntry("views/training_curves.py", "Training curves", ":material/show_chart:"),
    PageEntry("views/anomaly.py", "Anomaly detection", ":material/report:"),
    PageEntry("views/retrieval.py", "Retrieval", ":material/image_search:"),
    PageEntry("views/ae_vs_pca.py", "AE vs PCA", ":material/stacked_line_chart:"),
    PageEntry("views/lab.py", "Lab: train your own", ":material/model_training:"),
)
