"""Latent plane speed in headless Chromium: decode-only time and decode+paint frames per second.

`python -m bench.latent_fps` mounts the real component (ui/components/latent_plane.*) in a blank
page, without Streamlit, on the shipped browser decoder of every registry model with a 2-D code
(`aecore.web.decoder_arrays.load_export` of weights/browser/<name>.npz, the file the app sends),
then drags the marker in a circle with one pointer move per animation frame. A model whose
serving files are missing or damaged is reported, not measured.

    python -m bench.latent_fps                       # every 2-D model, 3 drags of 3 s each
    python -m bench.latent_fps --engine old.js       # A/B: another decoder_engine.js, same run
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import statistics
from pathlib import Path

from bench.browser import launch

HERE = Path(__file__).resolve().parent.parent / "ui" / "components"
ENGINE = HERE / "decoder_engine.js"

MOUNT = """async ([html, css, js, spec, b64, n]) => {
  const f32 = (s) => {
    const bin = atob(s), u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    return new Float32Array(u8.buffer);
  };
  document.body.innerHTML = '<div id="host" style="width:760px"></div>';
  const root = document.getElementById('host').attachShadow({mode: 'open'});
  root.innerHTML = html + '<style>' + css + '</style>';
  const mod = await import(URL.createObjectURL(new Blob([js], {type: 'text/javascript'})));
  const data = {model: spec, points: new Float32Array(2 * n).map(() => Math.random() * 6 - 3),
    labels: new Uint8Array(n).map((_, i) => i % 10), points_id: 'p', class_names: [...'0123456789'],
    colors: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
             '#7f7f7f', '#bcbd22', '#17becf'], extent: [-4, 4, -4, 4], point: [0, 0]};
  for (const [k, s] of Object.entries(b64)) data[k] = f32(s);
  window.spec = spec;
  window.arrays = Object.fromEntries(Object.keys(b64).map((k) => [k, data[k]]));
  window.sent = [];
  mod.default({data: [data], parentElement: root,   // the plane takes a one-item list
               setStateValue: (k, v) => window.sent.push([k, v])});
  window.root = root;
}"""

DRAG = """async (ms) => {
  const plane = root.querySelector('canvas.latent-plane');
  const dec = root.querySelector('canvas.decoded');
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const r = plane.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  const ev = (type, x, y) => plane.dispatchEvent(new PointerEvent(type,
    {clientX: x, clientY: y, pointerId: 1, button: 0, buttons: 1, bubbles: true}));
  ev('pointerdown', cx, cy);
  const f0 = +dec.dataset.frames, t0 = performance.now();
  let i = 0;
  await new Promise((done) => {
    const tick = () => {
      const a = ++i * 0.05;
      ev('pointermove', cx + Math.cos(a) * r.width / 3, cy + Math.sin(a) * r.height / 3);
      performance.now() - t0 < ms ? requestAnimationFrame(tick) : done();
    };
    requestAnimationFrame(tick);
  });
  await new Promise((r) => requestAnimationFrame(r));
  const seconds = (performance.now() - t0) / 1000;
  ev('pointerup', cx, cy);
  return {fps: (+dec.dataset.frames - f0) / seconds, sent: window.sent.length};
}"""

DECODE_ONLY = """(ms) => {
  const d = createDecoder(window.spec, window.arrays);
  for (let i = 0; i < 20; i++) d.decode([Math.sin(i), Math.cos(i)]);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) { d.decode([2 * Math.sin(n), 2 * Math.cos(n)]); n++; }
  return (performance.now() - t0) / n;
}"""


def shipped_export(name: str) -> dict:
    """The browser decoder's arrays as shipped (raises WeightsError if missing or damaged)."""
    from aecore.runtime import store
    from aecore.web.decoder_arrays import load_export

    store.serving_paths(name)  # checksums of every serving file, as the app checks them
    return load_export(store.serving_file(name, store.BROWSER_PART))


def available(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """(names with servable weights, {name: problem} for the others)."""
    from aecore.runtime.store import weights_status

    status = weights_status(names=names)
    return ([n for n in names if status[n] == "ok"],
            {n: status[n].splitlines()[0] for n in names if status[n] != "ok"})


def measure(models: list[str], seconds: float = 3.0, drags: int = 3, points: int = 10_000,
            engine: Path = ENGINE) -> list[dict]:
    """Per model: decode-only ms per point, each drag's fps and the decoder's ops (Chromium)."""
    from playwright.sync_api import sync_playwright

    from aecore.web.decoder_arrays import export_json

    html = (HERE / "latent_plane.py").read_text().split('HTML = """')[1].split('"""')[0]
    css = (HERE / "latent_plane.css").read_text()
    engine_js = Path(engine).read_text()
    js = "\n".join([engine_js, (HERE / "mount_once.js").read_text(),
                    (HERE / "latent_plane.js").read_text()])
    results = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        for name in models:
            export = shipped_export(name)
            b64 = {k: base64.b64encode(v.tobytes()).decode() for k, v in export["arrays"].items()}
            page.goto("about:blank")
            page.evaluate(MOUNT, [html, css, js, export_json(export), b64, points])
            runs = [page.evaluate(DRAG, seconds * 1000) for _ in range(drags)]
            page.add_script_tag(content=engine_js)  # a global createDecoder for DECODE_ONLY
            ms = page.evaluate(DECODE_ONLY, seconds * 1000)
            fps = [round(r["fps"], 1) for r in runs]
            results.append({"model": name, "layers": export["layers"], "decode_ms": round(ms, 2),
                            "drag_fps": fps, "fps": statistics.median(fps),
                            "points_sent_to_python": runs[-1]["sent"],
                            "load": round(os.getloadavg()[0], 2)})
        browser.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latent_fps", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", type=Path, default=ENGINE,
                        help="decoder_engine.js to measure (default: the shipped one)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each drag")
    parser.add_argument("--drags", type=int, default=3, help="drags per model")
    parser.add_argument("--models", nargs="+", help="default: every model with a 2-D code")
    args = parser.parse_args(argv)
    from aecore.models.registry import plane_models

    names, problems = available(args.models or plane_models())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}; headless Chromium; engine {args.engine}")
    for name, problem in problems.items():
        print(json.dumps({"model": name, "missing": problem}))
    for row in measure(names, args.seconds, args.drags, engine=args.engine):
        row.pop("layers")
        print(json.dumps(row))


if __name__ == "__main__":
    main()


def rows(quick: bool) -> list:
    """The bench rows: drag fps per 2-D model against the target its decoder's layers set."""
    from aecore.models.registry import get_spec, plane_models
    from bench.targets import decoder_kind, fps_target, measured, missing

    names, problems = available(plane_models())
    out = []
    for name, problem in problems.items():
        spec = get_spec(name)
        kind = decoder_kind(None, spec.family, spec.architecture)
        out.append(missing("latent plane", f"{name}: drag fps", problem[:110], fps_target(kind)))
    for r in measure(names, seconds=1.5 if quick else 3.0, drags=2 if quick else 3):
        kind = decoder_kind(r["layers"])
        drags = ", ".join(f"{f:g}" for f in r["drag_fps"])
        out.append(measured("latent plane", f"{r['model']}: drag fps ({kind} decoder)", r["fps"],
                            "fps", fps_target(kind), load=r["load"],
                            note=f"median of drags {drags}; JS decode alone {r['decode_ms']} ms"))
    return out
