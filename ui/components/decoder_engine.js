// Tiny float32 decoder engine for exports of aecore/export.py (see its docstring for the ops).
// Plain script, no imports: latent_plane.py inlines it ahead of the component module, and tests
// load it into a blank page. All buffers are allocated once; decode() allocates nothing.
//
// Speed (the latent plane decodes on every animation frame): buffers are flat HWC, and relu
// leaves about half of every layer's inputs at zero, so each layer first lists its input's
// non-zero channels per pixel (`compact`) and the loops below run over those only.
// - dense: y += x[c] * row c of W for each non-zero x[c], four rows per pass over y. The rows
//   are contiguous, so a large W (128 x 12544 in vae_conv) is streamed once.
// - conv2d and conv2d_transpose: one kernel, `conv`. Strides, padding and the transpose only
//   decide which (input pixel, kernel tap) pairs reach each output pixel, so those are listed at
//   load time (`taps`); the kernel is re-laid out at load time as (tap, cout, cin); then each
//   output pixel is a sum of dot products over its taps' non-zero input channels, eight output
//   channels at a time in local variables (no stores and no edge tests in the inner loop).
// V8 does not vectorise loops over typed arrays: a multiply-add costs 1-1.5 ns on a 2.4 GHz EPYC
// core whatever the layout (measured speeds: bench/README.md).

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

  // ---- load time: geometry and kernel layout ----------------------------------------------------

  // Along one axis, the (kernel index, input index) pairs that reach each output index.
  // conv2d: i = o * stride + k - pad. conv2d_transpose: o = i * stride + k - pad.
  const axisTaps = (outLen, inLen, k, stride, pad, transpose) => {
    const taps = [];
    for (let o = 0; o < outLen; o++) {
      const here = [];
      for (let t = 0; t < k; t++) {
        const i = transpose ? (o + pad - t) / stride : o * stride + t - pad;
        if (Number.isInteger(i) && i >= 0 && i < inLen) here.push([t, i]);
      }
      taps.push(here);
    }
    return taps;
  };

  // Output pixel p reads entries start[p] .. start[p + 1] of pixel (an input pixel) and tap
  // (a kernel position, ky * kw + kx).
  const taps = (op) => {
    const [ih, iw] = op.in_shape, [oh, ow] = op.out_shape, [kh, kw] = op.kernel;
    const tr = op.op === "conv2d_transpose";
    const ty = axisTaps(oh, ih, kh, op.strides[0], op.pad[0], tr);
    const tx = axisTaps(ow, iw, kw, op.strides[1], op.pad[1], tr);
    const start = new Int32Array(oh * ow + 1), pixel = [], tap = [];
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        start[oy * ow + ox] = pixel.length;
        for (const [ky, iy] of ty[oy]) {
          for (const [kx, ix] of tx[ox]) { pixel.push(iy * iw + ix); tap.push(ky * kw + kx); }
        }
      }
    }
    start[oh * ow] = pixel.length;
    return { start, pixel: Int32Array.from(pixel), tap: Int32Array.from(tap) };
  };

  // Exported kernels are (taps, cin, cout); the dot products want (taps, cout, cin).
  const outputMajor = (W, ci, co) => {
    const T = new Float32Array(W.length);
    for (let t = 0; t < W.length / (ci * co); t++) {
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) T[(t * co + o) * ci + c] = W[(t * ci + c) * co + o];
      }
    }
    return T;
  };

  // ---- per frame ---------------------------------------------------------------------------------

  // The non-zero inputs of each pixel, as lists: pixel p owns entries start[p] .. start[p+1] of
  // idx (channel) and val. Buffers are sized once per layer.
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

  // dense: y = bias + sum over non-zero x[c] of x[c] * W[c, :], four rows of W at a time.
  const dense = (op) => {
    const ni = size(op.in_shape), no = size(op.out_shape), W = get(op.w), bias = get(op.b);
    const sp = sparse(1, ni), { idx, val, start } = sp;
    return (x, y) => {
      if (bias) y.set(bias); else y.fill(0, 0, no);
      compact(x, 1, ni, sp);
      const r1 = start[1];
      let r = 0;
      for (; r + 4 <= r1; r += 4) {
        const v0 = val[r], v1 = val[r + 1], v2 = val[r + 2], v3 = val[r + 3];
        const a = idx[r] * no, b = idx[r + 1] * no, c = idx[r + 2] * no, d = idx[r + 3] * no;
        for (let o = 0; o < no; o++) y[o] += v0 * W[a + o] + v1 * W[b + o] + v2 * W[c + o] + v3 * W[d + o];
      }
      for (; r < r1; r++) {
        const v = val[r], a = idx[r] * no;
        for (let o = 0; o < no; o++) y[o] += v * W[a + o];
      }
    };
  };

  // conv2d, conv2d_transpose:
  // y[p, o] = bias[o] + sum over p's taps t and channels c of x[pixel[t], c] * K[tap[t], o, c].
  const conv = (op) => {
    const [, , ci] = op.in_shape, co = op.out_shape[2], pixelsIn = size(op.in_shape) / ci;
    const K = outputMajor(get(op.w), ci, co), bias = get(op.b) || new Float32Array(co);
    const tp = taps(op), sp = sparse(pixelsIn, ci);
    return (x, y) => {
      compact(x, pixelsIn, ci, sp);
      convSums(y, K, bias, ci, co, tp, sp);
    };
  };
  // The per-frame loops, with everything they touch passed in (V8 keeps locals in registers
  // better than variables captured from an enclosing scope).
  const convSums = (y, K, bias, ci, co, tp, sp) => {
    const { start, pixel, tap } = tp, { idx, val, start: first } = sp; // pixel q: first[q] .. first[q + 1]
    const pixelsOut = start.length - 1, co8 = co - (co % 8);
    for (let p = 0; p < pixelsOut; p++) {
      const t0 = start[p], t1 = start[p + 1], yb = p * co;
      let o = 0;
      for (; o < co8; o += 8) { // eight output channels at a time
        let s0 = bias[o], s1 = bias[o + 1], s2 = bias[o + 2], s3 = bias[o + 3];
        let s4 = bias[o + 4], s5 = bias[o + 5], s6 = bias[o + 6], s7 = bias[o + 7];
        for (let t = t0; t < t1; t++) {
          const k0 = (tap[t] * co + o) * ci, k1 = k0 + ci, k2 = k1 + ci, k3 = k2 + ci;
          const k4 = k3 + ci, k5 = k4 + ci, k6 = k5 + ci, k7 = k6 + ci, q = pixel[t];
          for (let r = first[q], r1 = first[q + 1]; r < r1; r++) {
            const v = val[r], c = idx[r];
            s0 += v * K[k0 + c]; s1 += v * K[k1 + c]; s2 += v * K[k2 + c]; s3 += v * K[k3 + c];
            s4 += v * K[k4 + c]; s5 += v * K[k5 + c]; s6 += v * K[k6 + c]; s7 += v * K[k7 + c];
          }
        }
        y[yb + o] = s0; y[yb + o + 1] = s1; y[yb + o + 2] = s2; y[yb + o + 3] = s3;
        y[yb + o + 4] = s4; y[yb + o + 5] = s5; y[yb + o + 6] = s6; y[yb + o + 7] = s7;
      }
      for (; o < co; o++) { // the rest one at a time (vae_conv's last layer has one channel)
        let s = bias[o];
        for (let t = t0; t < t1; t++) {
          const k = (tap[t] * co + o) * ci, q = pixel[t];
          for (let r = first[q], r1 = first[q + 1]; r < r1; r++) s += val[r] * K[k + idx[r]];
        }
        y[yb + o] = s;
      }
    }
  };

  // Each step maps (x, y) -> true when it wrote y (swap buffers), false when it worked in place.
  const compile = (op) => {
    const n = size(op.out_shape);
    const act = activation(op, n);
    const finish = (y) => { if (act) act(y); return true; };
    switch (op.op) {
      case "dense": {
        const run = dense(op);
        return (x, y) => { run(x, y); return finish(y); };
      }
      case "conv2d":
      case "conv2d_transpose": {
        const run = conv(op);
        return (x, y) => { run(x, y); return finish(y); };
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
      for (let k = 0; k < steps.length; k++) {
        if (steps[k](cur, nxt)) { const t = cur; cur = nxt; nxt = t; }
      }
      for (let i = 0; i < out.length; i++) out[i] = cur[i];
      return out;
    },
  };
}
