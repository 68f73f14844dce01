"""Latent plane speed in headless Chromium: decode-only time and decode+paint frames per second.

`python -m bench.latent_fps` mounts the real component (ui/components/latent_plane.*) in a blank
page, without Streamlit, on both VAE decoders with untrained weights (same architecture, same
cost), then drags the marker in a circle with one pointer move per animation frame.
"""

from __future__ import annotations

import base64
import json
import os
import platform
from pathlib import Path

from aecore.export import export_decoder, export_json
from aecore.store import build_ready

HERE = Path(__file__).resolve().parent.parent / "ui" / "components"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

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
  mod.default({data, parentElement: root, setStateValue: (k, v) => window.sent.push([k, v])});
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


def main(seconds: float = 3.0, points: int = 10_000) -> None:
    from playwright.sync_api import sync_playwright

    html = (HERE / "latent_plane.py").read_text().split('HTML = """')[1].split('"""')[0]
    css = (HERE / "latent_plane.css").read_text()
    engine = (HERE / "decoder_engine.js").read_text()
    js = engine + "\n" + (HERE / "latent_plane.js").read_text()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f};"
          " headless Chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        for name in ("vae_mlp", "vae_conv"):
            export = export_decoder(build_ready(name).decoder)
            b64 = {k: base64.b64encode(v.tobytes()).decode() for k, v in export["arrays"].items()}
            page.goto("about:blank")
            page.evaluate(MOUNT, [html, css, js, export_json(export), b64, points])
            runs = [page.evaluate(DRAG, seconds * 1000) for _ in range(2)]
            page.add_script_tag(content=engine)  # a global createDecoder for DECODE_ONLY
            ms = page.evaluate(DECODE_ONLY, seconds * 1000)
            print(json.dumps({"model": name, "decode_ms": round(ms, 2),
                              "drag_fps": [round(r["fps"], 1) for r in runs],
                              "points_sent_to_python": runs[-1]["sent"]}))
        browser.close()


if __name__ == "__main__":
    main()
