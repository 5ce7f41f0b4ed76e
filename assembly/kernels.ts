// AssemblyScript source of Remora's f32 WASM SIMD kernels (built by `npm run build:wasm`, see assembly/build.mjs).
// Memory is imported from JS: the JS side owns a bump allocator over it (src/nn/backend.ts) and passes byte
// offsets. Page 0 is left to AssemblyScript's own static data. No allocation, no runtime, no exceptions here.
//
// Why these kernels and not more: on 24-unit networks the per-op overhead of a tensor framework dominates; the
// useful work is small GEMMs (32x31x96 for the LSTM gates), and those are what SIMD speeds up ~13x over plain JS.
// Element-wise work (gates, ReLU, Adam) is also here because Math.exp/sqrt over Float32Array views in JS cost
// as much as the GEMMs at this size.

// a·b + c per lane. The plain build multiplies then adds (two roundings; what every kernel did before the relaxed
// build existed, bit for bit: IEEE addition commutes). The relaxed-SIMD build (`--enable relaxed-simd`, see
// assembly/build.mjs) emits f32x4.relaxed_madd, which V8 lowers to one FMA instruction where the CPU has FMA3
// (one rounding), and to multiply + add where it does not: same results on one machine, not across machines.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// C[m,n] (+)= A[m,k] * B[k,n], with A addressed by strides: element (i,p) at a + 4*(i*sai + p*sap).
// (sai,sap) = (k,1) is A row-major; (1,m) is A stored transposed ([k,m]), i.e. C = A^T B.
// B and C are row-major and contiguous. acc != 0 accumulates into C.
export function gemm(a: usize, sai: i32, sap: i32, b: usize, c: usize, m: i32, k: i32, n: i32, acc: i32): void {
  const n8 = n & ~7;
  const n4 = n & ~3;
  const sa = <usize>sap << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + ((<usize>i * <usize>sai) << 2);
    const a1 = a0 + (<usize>sai << 2);
    const a2 = a1 + (<usize>sai << 2);
    const a3 = a2 + (<usize>sai << 2);
    const c0 = c + ((<usize>i * <usize>n) << 2);
    const c1 = c0 + (<usize>n << 2);
    const c2 = c1 + (<usize>n << 2);
    const c3 = c2 + (<usize>n << 2);
    let j = 0;
    for (; j < n8; j += 8) {
      const jo = <usize>j << 2;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      if (acc) {
        s00 = v128.load(c0 + jo); s01 = v128.load(c0 + jo, 16);
        s10 = v128.load(c1 + jo); s11 = v128.load(c1 + jo, 16);
        s20 = v128.load(c2 + jo); s21 = v128.load(c2 + jo, 16);
        s30 = v128.load(c3 + jo); s31 = v128.load(c3 + jo, 16);
      }
      let bp = b + jo;
      let ap: usize = 0;
      const bs = <usize>n << 2;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const x0 = f32x4.splat(load<f32>(a0 + ap));
        const x1 = f32x4.splat(load<f32>(a1 + ap));
        const x2 = f32x4.splat(load<f32>(a2 + ap));
        const x3 = f32x4.splat(load<f32>(a3 + ap));
        s00 = madd(x0, b0, s00); s01 = madd(x0, b1, s01);
        s10 = madd(x1, b0, s10); s11 = madd(x1, b1, s11);
        s20 = madd(x2, b0, s20); s21 = madd(x2, b1, s21);
        s30 = madd(x3, b0, s30); s31 = madd(x3, b1, s31);
        bp += bs;
        ap += sa;
      }
      v128.store(c0 + jo, s00); v128.store(c0 + jo, s01, 16);
      v128.store(c1 + jo, s10); v128.store(c1 + jo, s11, 16);
      v128.store(c2 + jo, s20); v128.store(c2 + jo, s21, 16);
      v128.store(c3 + jo, s30); v128.store(c3 + jo, s31, 16);
    }
    for (; j < n4; j += 4) {
      const jo = <usize>j << 2;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      if (acc) { s0 = v128.load(c0 + jo); s1 = v128.load(c1 + jo); s2 = v128.load(c2 + jo); s3 = v128.load(c3 + jo); }
      let bp = b + jo;
      let ap: usize = 0;
      const bs = <usize>n << 2;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        s0 = madd(f32x4.splat(load<f32>(a0 + ap)), b0, s0);
        s1 = madd(f32x4.splat(load<f32>(a1 + ap)), b0, s1);
        s2 = madd(f32x4.splat(load<f32>(a2 + ap)), b0, s2);
        s3 = madd(f32x4.splat(load<f32>(a3 + ap)), b0, s3);
        bp += bs;
        ap += sa;
      }
      v128.store(c0 + jo, s0); v128.store(c1 + jo, s1); v128.store(c2 + jo, s2); v128.store(c3 + jo, s3);
    }
    for (; j < n; j++) {
      const jo = <usize>j << 2;
      let s0: f32 = acc ? load<f32>(c0 + jo) : 0, s1: f32 = acc ? load<f32>(c1 + jo) : 0;
      let s2: f32 = acc ? load<f32>(c2 + jo) : 0, s3: f32 = acc ? load<f32>(c3 + jo) : 0;
      let bp = b + jo;
      let ap: usize = 0;
      const bs = <usize>n << 2;
      for (let p = 0; p < k; p++) {
        const bv = load<f32>(bp);
        s0 += load<f32>(a0 + ap) * bv; s1 += load<f32>(a1 + ap) * bv;
        s2 += load<f32>(a2 + ap) * bv; s3 += load<f32>(a3 + ap) * bv;
        bp += bs;
        ap += sa;
      }
      store<f32>(c0 + jo, s0); store<f32>(c1 + jo, s1); store<f32>(c2 + jo, s2); store<f32>(c3 + jo, s3);
    }
  }
  for (; i < m; i++) {
    const a0 = a + ((<usize>i * <usize>sai) << 2);
    const c0 = c + ((<usize>i * <usize>n) << 2);
    const bs = <usize>n << 2;
    let j = 0;
    for (; j < n4; j += 4) {
      const jo = <usize>j << 2;
      let s0 = acc ? v128.load(c0 + jo) : f32x4.splat(0);
      let bp = b + jo;
      let ap: usize = 0;
      for (let p = 0; p < k; p++) {
        s0 = madd(f32x4.splat(load<f32>(a0 + ap)), v128.load(bp), s0);
        bp += bs;
        ap += sa;
      }
      v128.store(c0 + jo, s0);
    }
    for (; j < n; j++) {
      const jo = <usize>j << 2;
      let s0: f32 = acc ? load<f32>(c0 + jo) : 0;
      let bp = b + jo;
      let ap: usize = 0;
      for (let p = 0; p < k; p++) {
        s0 += load<f32>(a0 + ap) * load<f32>(bp);
        bp += bs;
        ap += sa;
      }
      store<f32>(c0 + jo, s0);
    }
  }
}

// dst[cols, rows] = src[rows, cols]^T
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      store<f32>(dst + ((<usize>(q * rows + r)) << 2), load<f32>(src + ((<usize>(r * cols + q)) << 2)));
    }
  }
}

// Adam, TF/Keras form (tf.raw_ops.ApplyAdam): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p -= lrT * m / (sqrt(v) + eps), with lrT = lr * sqrt(1-b2^t) / (1-b1^t) computed by the caller.
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, b1: f32, b2: f32, eps: f32): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2);
  const vc1 = f32x4.splat(1 - b1), vc2 = f32x4.splat(1 - b2);
  const vlr = f32x4.splat(lrT), veps = f32x4.splat(eps);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vc2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const upd = f32x4.div(f32x4.mul(vlr, mv), f32x4.add(f32x4.sqrt(vv), veps));
    v128.store(p + o, f32x4.sub(v128.load(p + o), upd));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = b1 * load<f32>(m + o) + (1 - b1) * gv;
    const vv = b2 * load<f32>(v + o) + (1 - b2) * gv * gv;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) - lrT * mv / (Mathf.sqrt(vv) + eps));
  }
}

// ReLU in place over n floats: y = y < 0 ? 0 : y (NaN and -0 pass unchanged, as the JS loop did). In JS the
// comparison is a data-dependent branch that mispredicts on real activations (~half negative).
export function relu(y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(y + o);
    v128.store(y + o, v128.bitselect(zero, v, f32x4.lt(v, zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (load<f32>(y + o) < 0) store<f32>(y + o, 0);
  }
}

// ReLU backward in place: dy = y > 0 ? dy : 0, with y the layer's (post-ReLU) output.
export function relu_bwd(y: usize, dy: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dy + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (!(load<f32>(y + o) > 0)) store<f32>(dy + o, 0);
  }
}

@inline function sigm(x: f32): f32 {
  return 1 / (1 + Mathf.exp(-x));
}

@inline function tanhf(x: f32): f32 {
  // tanh(x) = 1 - 2/(exp(2x)+1): one exp, exact at the ends (exp overflow gives 1, underflow gives -1).
  return 1 - 2 / (Mathf.exp(2 * x) + 1);
}

// exp(x) for 4 lanes: Cody-Waite range reduction x = n·ln2 + r and Cephes' expf polynomial (relative error
// ~1e-7 on the clamped range), 2^n built in the exponent bits. Math.exp per element cost ~15 ns here; this ~1.
@inline function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = madd(y, r, f32x4.splat(1.3981999507e-3));
  y = madd(y, r, f32x4.splat(8.3334519073e-3));
  y = madd(y, r, f32x4.splat(4.1665795894e-2));
  y = madd(y, r, f32x4.splat(1.6666665459e-1));
  y = madd(y, r, f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

@inline function sigmv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

@inline function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(expv(f32x4.add(x, x)), one)));
}

// LSTM cell forward, Keras gate order (i, f, c, o), for `rows` samples. z [rows, 4U] holds the pre-activations
// and is overwritten by the activated gates; cPrev, c, tc [rows, U]; h is written with row stride hStride.
export function lstm_cell_fwd(z: usize, cPrev: usize, c: usize, tc: usize, h: usize, hStride: i32, rows: i32, units: i32): void {
  const u4 = <usize>units << 4;
  const uo = <usize>units << 2;
  const U4 = units & ~3;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * u4;
    const cr = <usize>(r * units) << 2;
    const hr = h + ((<usize>(r * hStride)) << 2);
    let j = 0;
    for (; j < U4; j += 4) {
      const jo = <usize>j << 2;
      const ig = sigmv(v128.load(zr + jo));
      const fg = sigmv(v128.load(zr + jo + uo));
      const gg = tanhv(v128.load(zr + jo + 2 * uo));
      const og = sigmv(v128.load(zr + jo + 3 * uo));
      v128.store(zr + jo, ig);
      v128.store(zr + jo + uo, fg);
      v128.store(zr + jo + 2 * uo, gg);
      v128.store(zr + jo + 3 * uo, og);
      const cv = f32x4.add(f32x4.mul(fg, v128.load(cPrev + cr + jo)), f32x4.mul(ig, gg));
      const t = tanhv(cv);
      v128.store(c + cr + jo, cv);
      v128.store(tc + cr + jo, t);
      v128.store(hr + jo, f32x4.mul(og, t));
    }
    for (; j < units; j++) {
      const jo = <usize>j << 2;
      const ig = sigm(load<f32>(zr + jo));
      const fg = sigm(load<f32>(zr + jo + uo));
      const gg = tanhf(load<f32>(zr + jo + 2 * uo));
      const og = sigm(load<f32>(zr + jo + 3 * uo));
      store<f32>(zr + jo, ig);
      store<f32>(zr + jo + uo, fg);
      store<f32>(zr + jo + 2 * uo, gg);
      store<f32>(zr + jo + 3 * uo, og);
      const cv = fg * load<f32>(cPrev + cr + jo) + ig * gg;
      const t = tanhf(cv);
      store<f32>(c + cr + jo, cv);
      store<f32>(tc + cr + jo, t);
      store<f32>(hr + jo, og * t);
    }
  }
}

// LSTM cell backward. gates [rows,4U] (activated), cPrev, tc [rows,U]; dh [rows,U] (row stride dhStride);
// dc [rows,U] carries dL/dc_t in and dL/dc_{t-1} out; dz [rows,4U] receives dL/dz.
export function lstm_cell_bwd(gates: usize, cPrev: usize, tc: usize, dh: usize, dhStride: i32, dc: usize, dz: usize, rows: i32, units: i32): void {
  const u4 = <usize>units << 4;
  const uo = <usize>units << 2;
  for (let r = 0; r < rows; r++) {
    const gr = gates + <usize>r * u4;
    const zr = dz + <usize>r * u4;
    const cr = <usize>(r * units) << 2;
    const hr = dh + ((<usize>(r * dhStride)) << 2);
    for (let j = 0; j < units; j++) {
      const jo = <usize>j << 2;
      const ig = load<f32>(gr + jo), fg = load<f32>(gr + jo + uo), gg = load<f32>(gr + jo + 2 * uo), og = load<f32>(gr + jo + 3 * uo);
      const t = load<f32>(tc + cr + jo);
      const dhv = load<f32>(hr + jo);
      const dcv = load<f32>(dc + cr + jo) + dhv * og * (1 - t * t);
      store<f32>(zr + jo, dcv * gg * ig * (1 - ig));
      store<f32>(zr + jo + uo, dcv * load<f32>(cPrev + cr + jo) * fg * (1 - fg));
      store<f32>(zr + jo + 2 * uo, dcv * ig * (1 - gg * gg));
      store<f32>(zr + jo + 3 * uo, dhv * t * og * (1 - og));
      store<f32>(dc + cr + jo, dcv * fg);
    }
  }
}
