"""Denoiser: noise slider moved with the keyboard → the new images painted, in Chromium.

Each step focuses the "Noise level" slider (a flipbook, ui/components/flipbook.py: every level
is drawn when the noise type, seed or images change, and the browser swaps frames) and presses
an arrow key once. A probe in the page notes the keydown, waits until every image the step
replaces has a new `src` that has loaded, then two animation frames (painted). Python hears of
the step on release; the step waits for that run to finish before the next one (its time is a
row of its own). Between passes a new noise seed redraws every level: also timed.
"""

from __future__ import annotations

from bench import browser
from bench.targets import Row, measured, median, percentile

LEVEL_SLIDER = 'input[type="range"].fb-range'
SEED_INPUT = '.st-key-denoiser_seed input'
STEPS_PER_PASS = 10

# Installs window.__aeProbe: resolves when >= minFresh images have a new src, all loaded, and
# two frames later (painted). Times are performance.now() of this page.
PROBE = """(minFresh) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const images = () => ((root) => """ + browser.IMAGES_UNDER + """)(main);
  const old = new Set(images().map((i) => i.src));
  const sent0 = window.__aeSent.length, recv0 = window.__aeRecv.length;
  performance.clearResourceTimings();
  window.__aeKey = null;
  document.addEventListener('keydown', () => { window.__aeKey = performance.now(); },
                            {capture: true, once: true});
  window.__aeProbe = new Promise((resolve) => {
    const tick = () => {
      const fresh = images().filter((i) => !old.has(i.src));
      const done = window.__aeKey !== null && fresh.length >= minFresh
        && fresh.every((i) => i.complete && i.naturalWidth > 0);
      if (!done) { requestAnimationFrame(tick); return; }
      const loaded = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        const srcs = new Set(fresh.map((i) => i.src));
        const res = performance.getEntriesByType('resource').filter((e) => srcs.has(e.name));
        resolve({key: window.__aeKey, loaded, painted: performance.now(), fresh: fresh.length,
                 sent: window.__aeSent.slice(sent0), recv: window.__aeRecv.slice(recv0),
                 fetchStart: res.length ? Math.min(...res.map((e) => e.startTime)) : null,
                 fetchEnd: res.length ? Math.max(...res.map((e) => e.responseEnd)) : null});
      }));
    };
    requestAnimationFrame(tick);
  });
}"""

IMAGE_SOURCES = """() => ((root) => """ + browser.IMAGES_UNDER + """)(
  document.querySelector('[data-testid="stMain"]')).map((i) => i.src)"""


def denoiser_path() -> str:
    from ui.pages import PAGES

    return next(p.url_path for p in PAGES if p.path.endswith("denoiser.py"))


def phases(step: dict) -> dict[str, float]:
    """One step's milliseconds: total and its parts (missing parts are left out)."""
    out = {"total": step["painted"] - step["key"]}
    sent = [t for t in step["sent"] if t >= step["key"]]
    if sent:
        out["input → request sent"] = sent[0] - step["key"]
        if step.get("fetchStart") is not None:
            out["request → image requests"] = step["fetchStart"] - sent[0]
            out["image fetch"] = step["fetchEnd"] - step["fetchStart"]
            out["images loaded → painted"] = step["painted"] - step["fetchEnd"]
        if step.get("last_recv") is not None:
            out["release → Python's run finished (after the paint)"] = (
                step["last_recv"] - sent[0])
    return out


def direction(page) -> str:
    """The arrow that has STEPS_PER_PASS steps of room from the current value."""
    box = page.locator(LEVEL_SLIDER)
    value, high = float(box.input_value()), float(box.get_attribute("max"))
    step = float(box.get_attribute("step") or 1)
    return "ArrowRight" if value + STEPS_PER_PASS * step <= high + 1e-9 else "ArrowLeft"


def press(page, key: str) -> None:
    page.locator(LEVEL_SLIDER).focus()
    page.keyboard.press(key)


def calibrate(page) -> int:
    """One unmeasured step: how many images a step replaces."""
    before, recv = set(page.evaluate(IMAGE_SOURCES)), browser.received(page)
    press(page, direction(page))
    browser.wait_rerun(page, denoiser_path(), recv, settle_ms=500)
    return sum(src not in before for src in page.evaluate(IMAGE_SOURCES))


def set_seed(page, seed: int) -> float | None:
    """A new noise seed (every level redrawn): seconds until the page works again, or None
    if the page has no seed input."""
    import time

    box = page.locator(SEED_INPUT)
    if not box.count():
        return None
    recv = browser.received(page)
    box.fill(str(seed))
    t0 = time.monotonic()
    box.press("Enter")
    return browser.wait_rerun(page, denoiser_path(), recv, settle_ms=0) - t0


def measure_steps(page, passes: int) -> tuple[list[dict], int, list[float]]:
    path = denoiser_path()
    page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').first.click()
    browser.wait_working(page, path)
    fresh = calibrate(page)
    if fresh == 0:
        raise RuntimeError("moving the noise slider replaced no image")
    steps, redraws = [], []
    for p in range(passes):
        seconds = set_seed(page, 1000 + p)
        if seconds is not None:
            redraws.append(seconds)
        key = direction(page)
        for _ in range(STEPS_PER_PASS):
            page.evaluate(PROBE, fresh)
            press(page, key)
            step = page.evaluate("() => window.__aeProbe")
            browser.wait_working(page, path, settle_ms=300)
            recv = page.evaluate("() => window.__aeRecv.slice(-1)[0] ?? null")
            step["last_recv"] = recv
            steps.append(step)
    return steps, fresh, redraws


def run(page, passes: int = 3) -> list[Row]:
    steps, fresh, redraws = measure_steps(page, passes)
    parts = [phases(s) for s in steps]
    total = [p["total"] for p in parts]
    note = (f"{len(total)} steps, {fresh} images replaced per step; "
            + ("new noise seed per pass" if redraws else "no seed input found"))
    rows = [measured("denoiser slider", "slider → new images painted, p50", median(total), "ms",
                     "slider_p50_ms", note=note),
            measured("denoiser slider", "slider → new images painted, p95",
                     percentile(total, 95), "ms", "slider_p95_ms",
                     note=f"max {max(total):.0f} ms")]
    for name in parts[0]:
        if name == "total":
            continue
        values = [p[name] for p in parts if name in p]
        rows.append(measured("denoiser slider", f"  part: {name}", median(values), "ms",
                             note=f"median; p95 {percentile(values, 95):.0f} ms"))
    if redraws:
        rows.append(measured("denoiser slider", "  new noise seed → every level redrawn",
                             median(redraws) * 1000, "ms",
                             note=f"Enter in the seed box → page idle again; median of "
                                  f"{len(redraws)}; the cost of drawing levels in advance"))
    rows += python_work()
    return rows


def python_work(repeats: int = 15) -> list[Row]:
    """One level's own Python work, in this process without Streamlit: noise, both models'
    reconstructions, PSNR/SSIM and the PNGs (a redraw does this for every slider level)."""
    import time

    import numpy as np

    import aecore
    from aecore.analysis import denoise
    from aecore.data.uploads import to_png_bytes
    from aecore.models.registry import ROLE_DENOISER, ROLE_DENOISER_BASELINE, with_role
    from aecore.runtime.store import weights_status

    names = [with_role(ROLE_DENOISER), with_role(ROLE_DENOISER_BASELINE)]
    status = weights_status()
    models = {n: aecore.load_model(n).reconstruct for n in names if status.get(n) == "ok"}
    x = aecore.load_test_set().x[:6]
    times = {"models + noise + PSNR/SSIM": [], "PNG encoding": []}
    for i in range(repeats):
        t0 = time.perf_counter()
        result = denoise.compare(models, x, 0.05 * (i % 20), "gaussian", i)
        t1 = time.perf_counter()
        for img in [*result.noisy, *(o for out in result.outputs.values() for o in out)]:
            to_png_bytes(np.clip(img, 0, 1), 1)   # what ui.gallery inlines per image
        t2 = time.perf_counter()
        times["models + noise + PSNR/SSIM"].append((t1 - t0) * 1000)
        times["PNG encoding"].append((t2 - t1) * 1000)
    levels = len(denoise.SLIDER_LEVELS)
    return [measured("denoiser slider", f"  python: one level's {name}", median(v), "ms",
                     note=f"in-process, no Streamlit; models {', '.join(models)}; median of "
                          f"{repeats}; a redraw draws {levels} levels")
            for name, v in times.items()]
