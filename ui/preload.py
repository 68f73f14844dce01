"""Import the app's heavy libraries once, in one fixed order, before any page runs.

Each browser session runs the script in its own thread. When two sessions' first runs import a
library with internal import cycles through different entry points at the same time, Python's
per-module locks can deadlock ("_DeadlockError: deadlock detected by
_ModuleLock('sklearn.metrics._dist_metrics')", when the app still imported scikit-learn) or
hand one thread a half-initialised module (plotly reading a half-imported pandas, when it still
imported pandas). Neither is imported now, but plotly and the app's own modules are.
app.py imports this module first: every session then takes the same path through the same
imports, so a later session simply waits for the first one to finish them.
"""

from aecore.runtime.memory import return_large_blocks_to_the_os

return_large_blocks_to_the_os()   # before the first inference: RSS stays steady (see there)

import plotly.graph_objects  # noqa: F401,E402
import threadpoolctl  # noqa: F401,E402


def import_ui_modules() -> None:
    """Every ui module (and through them the aecore modules the pages use), sorted by name."""
    import importlib
    import pkgutil

    import ui

    for module in sorted(m.name for m in pkgutil.iter_modules(ui.__path__)):
        if module not in ("preload", "serve"):   # serve: the launcher, not a page's
            importlib.import_module(f"ui.{module}")


import_ui_modules()
