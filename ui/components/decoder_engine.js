// Tiny float32 decoder engine for exports of aecore/export.py (see its docstring for the ops).
// Plain script, no imports: latent_plane.py inlines it ahead of the component module, and tests
// load it into a blank page. All buffers are allocated once; decode() allocates nothing.

function createDecoder(spec, arrays) {
  const size = (shape) => shape.reduce((a, b) => a * b, 1);
  const get = (name) => (name ? arrays[name] : null);
  let maxLen = size(spec.input_shape);
  for (const op of spec.layers) maxLen = Math.max(maxLen, size(op.out_shape));
  let cur = new Float32Array(maxLen);
  let nxt = new Float32Array(maxLen);
  const out = new Float32Array(size(spec.output_shape));

  const activation = (op, n) => {
    const a = op.act;
    if (!a || a === "linear") return null;
    const alpha = op.alpha;
    if (a === "relu") return (y) => { for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = 0; };
    if (a === "sigmoid") return (y) => { for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-y[i])); };
    if (a === "tanh") return (y) => { for (let i = 0; i < n; i++) y[i] = Math.tanh(y[i]); };
    if (a === "elu") return (y) => { for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = Math.expm1(y[i]); };
    if (a === "softplus") return (y) => {
      for (let i = 0; i < n; i++) { const v = y[i]; y[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); }
    };
    if (a === "leaky_relu") return (y) => { for (let i = 0; i < n; i++) if (y[i] < 0) y[i] *= alpha; };
    throw new Error(`unsupported activation ${a}`);
  };

  const fillBias = (y, b, pixels, co) => {
    if (!b) { y.fill(0, 0, pixels * co); return; }
    for (let p = 0; p < pixels; p++) y.set(b, p * co);
  };

  // The non-zero inputs of each pixel (relu makes many), as lists: pixel p owns entries
  // start[p] .. start[p+1] of idx (channel) and val. Buffers are sized once per layer.
  const sparse = (pixels, ci) => ({
    idx: new Int32Array(pixels * ci), val: new Float32Array(pixels * ci), start: new Int32Array(pixels + 1),
  });
  const compact = (x, pixels, ci, sp) => {
    const { idx, val, start } = sp;
    let k = 0;
    for (let p = 0; p < pixels; p++) {
      start[p] = k;
      for (let c = 0, b = p * ci; c < ci; c++) {
        const v = x[b + c];
        if (v !== 0) { idx[k] = c; val[k] = v; k++; }
      }
    }
    start[pixels] = k;
  };
  // y[ob + o] += sum over entries r in [r0, r1) of val[r] * W[wb + idx[r] * n + o], o < n.
  // Four entries at a time: one read-modify-write of y per four multiply-adds.
  const accumulate = (y, ob, n, W, wb, sp, r0, r1) => {
    const { idx, val } = sp;
    let r = r0;
    for (; r + 4 <= r1; r += 4) {
      const v0 = val[r], v1 = val[r + 1], v2 = val[r + 2], v3 = val[r + 3];
      const a = wb + idx[r] * n, b = wb + idx[r + 1] * n, c = wb + idx[r + 2] * n, d = wb + idx[r + 3] * n;
      for (let o = 0; o < n; o++) y[ob + o] += v0 * W[a + o] + v1 * W[b + o] + v2 * W[c + o] + v3 * W[d + o];
    }
    for (; r < r1; r++) {
      const v = val[r], a = wb + idx[r] * n;
      for (let o = 0; o < n; o++) y[ob + o] += v * W[a + o];
    }
  };

  // Each step maps (x, y) -> true when it wrote y (swap buffers), false when it worked in place.
  const compile = (op) => {
    const W = get(op.w), B = get(op.b), n = size(op.out_shape);
    const act = activation(op, n);
    const finish = (y) => { if (act) act(y); return true; };
    switch (op.op) {
      case "dense": {
        const nin = size(op.in_shape), sp = sparse(1, nin);
        return (x, y) => {
          fillBias(y, B, 1, n);
          compact(x, 1, nin, sp);
          accumulate(y, 0, n, W, 0, sp, 0, sp.start[1]);
          return finish(y);
        };
      }
      case "conv2d": {
        const [ih, iw, ci] = op.in_shape, [oh, ow, co] = op.out_shape;
        const [kh, kw] = op.kernel, [sh, sw] = op.strides, [pt, pl] = op.pad, sp = sparse(ih * iw, ci);
        return (x, y) => {
          fillBias(y, B, oh * ow, co);
          compact(x, ih * iw, ci, sp);
          for (let oy = 0; oy < oh; oy++) {
            for (let ox = 0; ox < ow; ox++) {
              const ob = (oy * ow + ox) * co;
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * sh + ky - pt;
                if (iy < 0 || iy >= ih) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * sw + kx - pl, p = iy * iw + ix;
                  if (ix < 0 || ix >= iw) continue;
                  accumulate(y, ob, co, W, (ky * kw + kx) * ci * co, sp, sp.start[p], sp.start[p + 1]);
                }
              }
            }
          }
          return finish(y);
        };
      }
      case "conv2d_transpose": {
        const [ih, iw, ci] = op.in_shape, [oh, ow, co] = op.out_shape;
        const [kh, kw] = op.kernel, [sh, sw] = op.strides, [pt, pl] = op.pad, sp = sparse(ih * iw, ci);
        return (x, y) => {
          fillBias(y, B, oh * ow, co);
          compact(x, ih * iw, ci, sp);
          for (let iy = 0; iy < ih; iy++) {
            for (let ix = 0; ix < iw; ix++) {
              const p = iy * iw + ix, r0 = sp.start[p], r1 = sp.start[p + 1];
              if (r0 === r1) continue;
              for (let ky = 0; ky < kh; ky++) {
                const oy = iy * sh + ky - pt;
                if (oy < 0 || oy >= oh) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ox = ix * sw + kx - pl;
                  if (ox < 0 || ox >= ow) continue;
                  accumulate(y, (oy * ow + ox) * co, co, W, (ky * kw + kx) * ci * co, sp, r0, r1);
                }
              }
            }
          }
          return finish(y);
        };
      }
      case "upsample": {
        const [, iw, c] = op.in_shape, [oh, ow] = op.out_shape, [sy, sx] = op.size;
        return (x, y) => {
          for (let oy = 0; oy < oh; oy++) {
            for (let ox = 0; ox < ow; ox++) {
              const ib = (((oy / sy) | 0) * iw + ((ox / sx) | 0)) * c, ob = (oy * ow + ox) * c;
              for (let k = 0; k < c; k++) y[ob + k] = x[ib + k];
            }
          }
          return true;
        };
      }
      case "affine": {
        const S = get(op.scale), T = get(op.shift), c = S.length;
        return (x) => {
          for (let i = 0; i < n; i++) { const k = i % c; x[i] = x[i] * S[k] + T[k]; }
          return false;
        };
      }
      case "act":
        return (x) => { act && act(x); return false; };
      case "reshape":
        return () => false;
      default:
        throw new Error(`unsupported op ${op.op}`);
    }
  };

  const steps = spec.layers.map(compile);
  return {
    inputSize: size(spec.input_shape),
    outputShape: spec.output_shape,
    /** Decode one latent vector (array-like); returns the engine's own output buffer. */
    decode(z) {
      for (let i = 0; i < this.inputSize; i++) cur[i] = z[i];
      for (const step of steps) {
        if (step(cur, nxt)) { const t = cur; cur = nxt; nxt = t; }
      }
      out.set(cur.subarray(0, out.length));
      return out;
    },
  };
}
