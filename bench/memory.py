"""Resident memory of a fresh process holding every model with shipped weights and the test set.

`python -m bench.memory` prints one JSON object: rss_mib (now), peak_mib (high-water mark), the
models loaded and those skipped (no shipped weights yet, or damaged). The suite runs it in a
child process so nothing else it has loaded is counted.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size in MiB, from /proc (Linux) or getrusage."""
    status = Path("/proc/self/status")
    if status.is_file():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak /= 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return peak, peak


def main() -> None:
    import aecore
    from aecore.runtime.store import weights_status

    split = aecore.load_test_set()
    loaded, skipped, models = [], {}, []
    for name, status in weights_status().items():
        if status != "ok":
            skipped[name] = status
            continue
        models.append(aecore.load_model(name))
        models[-1].reconstruct(split.x[:1])  # traced once, as the app does on first use
        loaded.append(name)
    now, peak = rss_mib()
    print(json.dumps({"rss_mib": round(now, 1), "peak_mib": round(peak, 1), "loaded": loaded,
                      "skipped": skipped, "test_set": split.description}))


if __name__ == "__main__":
    main()
