"""axe-core in the browser: audit regions of a Streamlit page and explain what fails.

axe-core comes bundled in the `axe-playwright-python` package (installed with the project's
requirements), so nothing is fetched at run time. Every audit is also saved as JSON under
test-output/accessibility/ (all impacts), which is where the before/after counts come from.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from axe_playwright_python.sync_playwright import Axe
from st_browser import LOG_DIR

BLOCKING = ("critical", "serious")
REGIONS = {"main": '[data-testid="stMain"]', "sidebar": '[data-testid="stSidebar"]'}
RESULTS = LOG_DIR / "accessibility"
AXE = Axe()

# True once no skeleton (a fragment not drawn yet) is left, every <img> has loaded, every Plotly
# chart has drawn and every latent plane has received its data (components mount after the text
# around them).
_SETTLED = """() => {
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const imgs = [...document.querySelectorAll('img')];
  if (!imgs.every((i) => i.complete && i.naturalWidth > 0)) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (charts.some((c) => !c.querySelector('.main-svg'))) return false;
  const hosts = [...document.querySelectorAll('*')].filter((e) => e.shadowRoot);
  return hosts.every((h) => { const r = h.shadowRoot.querySelector('.lp-root');
                              return !r || r.dataset.ready === '1'; });
}"""


def wait_until_drawn(page, timeout: float = 180_000) -> None:
    """Images, charts and components on screen (call after st_browser.wait_for_app)."""
    page.wait_for_function(_SETTLED, timeout=timeout, polling=200)


def axe_version(page) -> str:
    """The version of the axe-core that audits (injected by the first audit)."""
    page.evaluate(AXE.axe_script)
    return page.evaluate("() => axe.version")


def audit(page, region: str) -> list[dict]:
    """All violations axe-core finds inside one region ("main" or "sidebar")."""
    return AXE.run(page, context=REGIONS[region]).response["violations"]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def counts(violations: list[dict]) -> dict[str, int]:
    """Violation nodes per "rule (impact)"."""
    return dict(Counter({f"{v['id']} ({v['impact']})": len(v["nodes"]) for v in violations}))


def explain(violations: list[dict], limit: int = 8) -> str:
    """Rule ids with the failing nodes (selector, HTML snippet, why), for a failure message."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        for node in v["nodes"][:limit]:
            target = " >> ".join(str(t) for t in node["target"])
            lines.append(f"    {target}\n      {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    ... and {len(v['nodes']) - limit} more")
    return "\n".join(lines)


def save(label: str, found: dict[str, list[dict]]) -> None:
    """Write every region's violations (all impacts) to test-output/accessibility/<label>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_")
    summary = {region: {"counts": counts(v), "violations": v} for region, v in found.items()}
    (RESULTS / f"{name}.json").write_text(json.dumps(summary, indent=1))


def assert_accessible(page, label: str, regions=tuple(REGIONS)) -> None:
    """Fail on any critical or serious violation in the given regions, listing what fails."""
    found = {region: audit(page, region) for region in regions}
    save(label, found)
    bad = {region: blocking(v) for region, v in found.items() if blocking(v)}
    if bad:
        text = "\n".join(f"[{region}]\n{explain(v)}" for region, v in bad.items())
        raise AssertionError(f"{label}: critical/serious axe-core violations:\n{text}")
