// Latent plane component (Streamlit Components v2). createDecoder() comes from
// decoder_engine.js, which latent_plane.py prepends to this module.
//
// Dragging decodes and paints in the browser on every animation frame, with no Python traffic;
// on release the point goes to Python with setStateValue("point", [x, y]).
// The default export re-runs on the same DOM whenever `data` changes, so all state lives in a
// WeakMap keyed by the shadow root and listeners are bound once.

const STATE = new WeakMap();
const MARGIN = { left: 44, right: 10, top: 10, bottom: 30 }; // CSS pixels

const TYPED = { float32: Float32Array, uint8: Uint8Array };

// An array from Python: {dtype, b64} (little-endian bytes in base64, see latent_plane.py).
function column(v) {
  if (v == null) return null;
  if (typeof v.b64 === "string") {
    const text = atob(v.b64), bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new TYPED[v.dtype](bytes.buffer);
  }
  return ArrayBuffer.isView(v) ? v : Float32Array.from(v);
}

function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push(+t.toFixed(10));
  return ticks;
}

// Class marker shapes (Plotly's symbol names) as unit polygons; null is a circle. Sizes are
// scaled so every shape covers about the same area as the circle.
const SHAPES = (() => {
  const up = -Math.PI / 2;
  const poly = (n, start, k) => Array.from({ length: n }, (_, i) => {
    const a = start + (2 * Math.PI * i) / n;
    return [k * Math.cos(a), k * Math.sin(a)];
  });
  const w = 0.38;
  const plus = [[-w, -1], [w, -1], [w, -w], [1, -w], [1, w], [w, w], [w, 1], [-w, 1], [-w, w],
    [-1, w], [-1, -w], [-w, -w]];
  const turn = (pts, a, k) => pts.map(([x, y]) => [
    k * (x * Math.cos(a) - y * Math.sin(a)), k * (x * Math.sin(a) + y * Math.cos(a))]);
  return {
    circle: null,
    square: poly(4, Math.PI / 4, 1.25),
    diamond: poly(4, up, 1.35),
    "triangle-up": poly(3, up, 1.5),
    "triangle-down": poly(3, -up, 1.5),
    cross: turn(plus, 0, 1.3),
    x: turn(plus, Math.PI / 4, 1.35),
    star: Array.from({ length: 10 }, (_, i) => {
      const a = up + (Math.PI * i) / 5, r = i % 2 ? 0.62 : 1.55;
      return [r * Math.cos(a), r * Math.sin(a)];
    }),
    hexagon: poly(6, 0, 1.15),
    pentagon: poly(5, up, 1.2),
  };
})();

function tracePath(ctx, shape, x, y, r) {
  const pts = SHAPES[shape];
  if (!pts) {
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    return;
  }
  ctx.moveTo(x + pts[0][0] * r, y + pts[0][1] * r);
  for (let i = 1; i < pts.length; i++) ctx.lineTo(x + pts[i][0] * r, y + pts[i][1] * r);
  ctx.closePath();
}

function swatch(shape, color) { // the legend's little SVG copy of a class marker
  const NS = "http://www.w3.org/2000/svg", pts = SHAPES[shape];
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "-8 -8 16 16");
  svg.setAttribute("class", "lp-swatch");
  svg.setAttribute("aria-hidden", "true");
  const mark = document.createElementNS(NS, pts ? "polygon" : "circle");
  if (pts) mark.setAttribute("points", pts.map(([x, y]) => `${(5 * x).toFixed(2)},${(5 * y).toFixed(2)}`).join(" "));
  else mark.setAttribute("r", "5.5");
  mark.setAttribute("fill", color);
  svg.append(mark);
  return svg;
}

const fmt = (v) => v.toFixed(2).replace("-", "\u2212"); // a real minus sign for screen readers

function setup(root) {
  const el = {
    root: root.querySelector(".lp-root"),
    plane: root.querySelector("canvas.latent-plane"),
    decoded: root.querySelector("canvas.decoded"),
    legend: root.querySelector(".lp-legend"),
    readout: root.querySelector(".lp-readout"),
    live: root.querySelector(".lp-live"),
  };
  const s = {
    el, point: [0, 0], dragging: false, frames: 0, raf: 0, decoder: null, modelId: null,
    pointsId: null, lastDataPoint: null, bgKey: null, data: null, sendTimer: 0,
    announceTimer: 0, announced: null,
    bg: document.createElement("canvas"),
    small: document.createElement("canvas"),
    image: null,
  };
  const dpr0 = window.devicePixelRatio || 1;
  el.decoded.width = el.decoded.height = Math.round(280 * dpr0);
  const pctx = el.plane.getContext("2d");
  const dctx = el.decoded.getContext("2d");

  // ---- geometry -------------------------------------------------------------------------------
  const measure = () => { // the plot area in CSS pixels, kept until the next background draw
    const w = el.plane.clientWidth || 400, h = el.plane.clientHeight || 400;
    s.area = { x: MARGIN.left, y: MARGIN.top, w: w - MARGIN.left - MARGIN.right,
      h: h - MARGIN.top - MARGIN.bottom, cssW: w, cssH: h };
  };
  const area = () => s.area;
  const toPx = (x, y) => {
    const [x0, x1, y0, y1] = s.data.extent, a = area();
    return [a.x + ((x - x0) / (x1 - x0)) * a.w, a.y + ((y1 - y) / (y1 - y0)) * a.h];
  };
  const fromPx = (px, py) => {
    const [x0, x1, y0, y1] = s.data.extent, a = area();
    const x = x0 + ((px - a.x) / a.w) * (x1 - x0), y = y1 - ((py - a.y) / a.h) * (y1 - y0);
    return [Math.min(Math.max(x, x0), x1), Math.min(Math.max(y, y0), y1)];
  };
  const themeColor = (name, fallback) =>
    getComputedStyle(el.plane).getPropertyValue(name).trim() || fallback;

  // ---- static background: axes, ticks, dots -----------------------------------------------------
  function drawBackground() {
    const dpr = window.devicePixelRatio || 1;
    measure();
    const w = s.area.cssW, h = s.area.cssH;
    for (const c of [el.plane, s.bg]) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    const ctx = s.bg.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const d = s.data, a = area(), [x0, x1, y0, y1] = d.extent;
    const text = themeColor("--st-text-color", "#31333f");
    s.primary = themeColor("--st-primary-color", "#ff4b4b");
    ctx.font = "11px sans-serif";
    ctx.fillStyle = text;
    ctx.strokeStyle = text;
    ctx.globalAlpha = 0.12;
    const xt = niceTicks(x0, x1, 6), yt = niceTicks(y0, y1, 6);
    ctx.beginPath();
    for (const t of xt) { const [px] = toPx(t, y0); ctx.moveTo(px, a.y); ctx.lineTo(px, a.y + a.h); }
    for (const t of yt) { const [, py] = toPx(x0, t); ctx.moveTo(a.x, py); ctx.lineTo(a.x + a.w, py); }
    ctx.stroke();
    ctx.globalAlpha = 0.8;
    ctx.strokeRect(a.x, a.y, a.w, a.h);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of xt) ctx.fillText(String(t), toPx(t, y0)[0], a.y + a.h + 4);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of yt) ctx.fillText(String(t), a.x - 5, toPx(x0, t)[1]);
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillText("z₁ →", a.x + a.w - 30, a.y + a.h + 28);
    ctx.save();
    ctx.translate(12, a.y + 34);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("z₂ →", 0, 0);
    ctx.restore();

    const pts = s.points, labels = s.labels, colors = d.colors;
    if (pts) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(a.x, a.y, a.w, a.h);
      ctx.clip();
      ctx.globalAlpha = 0.55;
      const n = pts.length / 2, r = n > 3000 ? 2.0 : 2.8;
      const groups = labels ? colors.length : 1, symbols = d.symbols || [];
      for (let g = 0; g < groups; g++) {
        ctx.fillStyle = labels ? colors[g] : "#888";
        const shape = labels ? symbols[g % symbols.length] : "circle";
        ctx.beginPath();
        for (let i = 0; i < n; i++) {
          if (labels && labels[i] % colors.length !== g) continue;
          const [px, py] = toPx(pts[2 * i], pts[2 * i + 1]);
          tracePath(ctx, shape, px, py, r);
        }
        ctx.fill();
      }
      ctx.restore();
    }
  }

  function drawLegend() {
    const d = s.data, symbols = d.symbols || [];
    const items = (d.class_names || []).map((name, i) => {
      const item = document.createElement("span");
      item.append(swatch(symbols[i % symbols.length], d.colors[i % d.colors.length]), name);
      return item;
    });
    if (d.legend_note) {
      const note = document.createElement("span");
      note.className = "lp-note";
      note.textContent = d.legend_note;
      items.push(note);
    }
    el.legend.replaceChildren(...items);
  }

  // ---- per frame: marker + overlays on the plane, decode + paint the image -----------------------
  function marker(ctx, x, y, fill, r) {
    const [px, py] = toPx(x, y);
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#000";
    ctx.beginPath();
    ctx.arc(px, py, r + 1.5, 0, 2 * Math.PI);
    ctx.stroke();
  }

  function drawPlane() {
    const dpr = window.devicePixelRatio || 1, d = s.data;
    pctx.setTransform(1, 0, 0, 1, 0, 0);
    pctx.clearRect(0, 0, el.plane.width, el.plane.height);
    pctx.drawImage(s.bg, 0, 0);
    pctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const primary = s.primary;
    if (d.path && d.path.length > 1) {
      pctx.strokeStyle = primary;
      pctx.lineWidth = 2;
      pctx.setLineDash([5, 4]);
      pctx.beginPath();
      d.path.forEach(([x, y], i) => { const [px, py] = toPx(x, y); i ? pctx.lineTo(px, py) : pctx.moveTo(px, py); });
      pctx.stroke();
      pctx.setLineDash([]);
      for (const [x, y] of d.path) {
        const [px, py] = toPx(x, y);
        pctx.fillStyle = primary;
        pctx.fillRect(px - 2.5, py - 2.5, 5, 5);
      }
    }
    if (d.extra && d.extra.xy) {
      const [x, y] = d.extra.xy;
      marker(pctx, x, y, "#111", 5);
      if (d.extra.label) {
        const [px, py] = toPx(x, y);
        pctx.font = "12px sans-serif";
        pctx.textBaseline = "bottom";
        pctx.lineWidth = 3;
        pctx.strokeStyle = "#fff";
        pctx.strokeText(d.extra.label, px + 8, py - 4);
        pctx.fillStyle = "#111";
        pctx.fillText(d.extra.label, px + 8, py - 4);
      }
    }
    marker(pctx, s.point[0], s.point[1], primary, 7);
  }

  function paintDecoded() {
    if (!s.decoder) return;
    const out = s.decoder.decode(s.point);
    const px = s.image.data, [h, w, c = 1] = s.decoder.outputShape;
    for (let i = 0, n = h * w; i < n; i++) {
      const o = 4 * i;
      if (c === 3) {
        px[o] = out[3 * i] * 255; px[o + 1] = out[3 * i + 1] * 255; px[o + 2] = out[3 * i + 2] * 255;
      } else {
        px[o] = px[o + 1] = px[o + 2] = out[i * c] * 255;
      }
    }
    s.small.getContext("2d").putImageData(s.image, 0, 0);
    dctx.imageSmoothingEnabled = false;
    dctx.drawImage(s.small, 0, 0, el.decoded.width, el.decoded.height);
  }

  function nearestClass() { // the class of the test image whose code is closest to the marker
    const pts = s.points, labels = s.labels, names = s.data.class_names || [];
    if (!pts || !labels || !names.length) return null;
    const [x, y] = s.point;
    let best = -1, bestD = Infinity;
    for (let i = 0, n = pts.length / 2; i < n; i++) {
      const dx = pts[2 * i] - x, dy = pts[2 * i + 1] - y, dd = dx * dx + dy * dy;
      if (dd < bestD) { bestD = dd; best = i; }
    }
    return best < 0 ? null : names[labels[best] % names.length];
  }

  // Said once the marker rests (not on every frame of a drag), and not for the first paint.
  const announce = () => {
    s.announceTimer = 0;
    const near = nearestClass();
    el.live.textContent = `Marker at z1 = ${fmt(s.point[0])}, z2 = ${fmt(s.point[1])}.`
      + (near ? ` Nearest test image: ${near}.` : "");
  };

  function frame() {
    s.raf = 0;
    drawPlane();
    paintDecoded();
    s.frames += 1;
    el.decoded.dataset.frames = String(s.frames);
    const key = `${s.point[0].toFixed(4)},${s.point[1].toFixed(4)}`;
    el.plane.dataset.point = key;
    const near = nearestClass();
    el.readout.textContent = `z = (${s.point[0].toFixed(2)}, ${s.point[1].toFixed(2)})`
      + (near ? ` · nearest: ${near}` : "");
    if (s.announced === null) s.announced = key;
    else if (key !== s.announced) {
      s.announced = key;
      clearTimeout(s.announceTimer);
      s.announceTimer = setTimeout(announce, 400);
    }
  }
  const schedule = () => { if (!s.raf) s.raf = requestAnimationFrame(frame); };

  // ---- input ---------------------------------------------------------------------------------
  const send = () => {
    clearTimeout(s.sendTimer);
    s.sendTimer = 0;
    s.setStateValue("point", s.point.map((v) => Math.round(v * 1e5) / 1e5));
  };
  const moveTo = (e) => {
    const r = el.plane.getBoundingClientRect();
    s.point = fromPx(e.clientX - r.left, e.clientY - r.top);
    schedule();
  };
  const onDown = (e) => {
    if (e.button !== 0 || !s.data) return;
    s.dragging = true;
    el.plane.setPointerCapture(e.pointerId);
    s.pointerFocus = true;
    el.plane.focus({ preventScroll: true }); // so the arrow keys work next
    moveTo(e);
    e.preventDefault();
  };
  const onMove = (e) => { if (s.dragging) moveTo(e); };
  const onUp = (e) => {
    if (!s.dragging) return;
    s.dragging = false;
    if (el.plane.hasPointerCapture(e.pointerId)) el.plane.releasePointerCapture(e.pointerId);
    send();
  };
  const onKey = (e) => {
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!dir || !s.data) return;
    e.preventDefault();
    el.plane.classList.add("keyboard-focus"); // keys after a click: show where the focus is
    const [x0, x1, y0, y1] = s.data.extent, k = e.shiftKey ? 0.1 : 0.01;
    s.point = [
      Math.min(Math.max(s.point[0] + dir[0] * k * (x1 - x0), x0), x1),
      Math.min(Math.max(s.point[1] + dir[1] * k * (y1 - y0), y0), y1),
    ];
    schedule();
    clearTimeout(s.sendTimer);
    s.sendTimer = setTimeout(send, 300);
  };
  const onFocus = () => {
    el.plane.classList.toggle("keyboard-focus", !s.pointerFocus); // outline for keyboard users
    s.pointerFocus = false;
  };
  el.plane.addEventListener("focus", onFocus);
  el.plane.addEventListener("pointerdown", onDown);
  el.plane.addEventListener("pointermove", onMove);
  el.plane.addEventListener("pointerup", onUp);
  el.plane.addEventListener("pointercancel", onUp);
  el.plane.addEventListener("keydown", onKey);
  const resize = new ResizeObserver(() => { if (s.data) { drawBackground(); schedule(); } });
  resize.observe(el.plane);

  // ---- data from Python ----------------------------------------------------------------------
  s.update = (d) => {
    s.data = d;
    el.plane.setAttribute("aria-label", d.label || "Latent plane");
    const model = d.model;
    if (model && model.id !== s.modelId) {
      const arrays = {};
      for (const op of model.layers) {
        for (const k of ["w", "b", "scale", "shift"]) if (op[k]) arrays[op[k]] = column(d[op[k]]);
      }
      s.decoder = createDecoder(model, arrays);
      s.modelId = model.id;
      const [h, w] = model.output_shape;
      s.small.width = w;
      s.small.height = h;
      s.image = new ImageData(w, h);
      s.image.data.fill(255);
    }
    if (d.points_id !== s.pointsId) {
      s.points = column(d.points);
      s.labels = column(d.labels);
      s.pointsId = d.points_id;
      s.bgKey = null;
    }
    const bgKey = JSON.stringify([d.extent, d.class_names, d.colors, s.pointsId]);
    if (bgKey !== s.bgKey) { s.bgKey = bgKey; drawBackground(); drawLegend(); }
    const dataPoint = JSON.stringify(d.point);
    if (dataPoint !== s.lastDataPoint) {
      s.lastDataPoint = dataPoint;
      if (!s.dragging && d.point) s.point = [+d.point[0], +d.point[1]];
    }
    schedule();
    el.root.dataset.ready = "1";
  };
  s.destroy = () => {
    cancelAnimationFrame(s.raf);
    clearTimeout(s.sendTimer);
    clearTimeout(s.announceTimer);
    resize.disconnect();
    for (const [t, f] of [["pointerdown", onDown], ["pointermove", onMove], ["pointerup", onUp],
      ["pointercancel", onUp], ["keydown", onKey], ["focus", onFocus]]) el.plane.removeEventListener(t, f);
    STATE.delete(root);
  };
  return s;
}

export default (component) => mountOnce(STATE, setup, component);
