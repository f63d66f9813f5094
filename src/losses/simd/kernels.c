// Kernels in WebAssembly SIMD (two float64 lanes), for the losses whose time goes to exp and
// log1p. Built by scripts/build-wasm.sh with Debian's clang and lld into kernels.wasm, which is
// committed (the image and `npm ci` need no compiler; CI rebuilds it and fails if a byte
// differs). simd.ts loads it once per thread; the loss modules call it for the blocks they can.
//
// No libc: exp and log1p are written here, vectorised, accurate to about 1 ulp (the tests compare
// them with Math.exp and Math.log1p), and every kernel accumulates in float64 in a fixed order
// (each of 16 lanes sums its elements, the lanes are added in order, then the tail), so the same
// range gives the same bits in every thread.
#include <wasm_simd128.h>

typedef v128_t f64x2;

#define SPLAT(x) wasm_f64x2_splat(x)
#define EXPORT(name) __attribute__((export_name(#name))) name

// exp(x) for x ≤ 709.78 (the losses mostly need x ≤ 0): x = n·ln2 + r with n = round(x/ln2) and |r| ≤ ln2/2, so e^x = 2^n·e^r.
// r is computed in two steps (ln2 = LN2_HI + LN2_LO, LN2_HI with trailing zero bits so that
// n·LN2_HI is exact) and e^r by its Taylor series to degree 13 (Horner): the first term left out,
// r^14/14! ≤ 0.347^14/14! ≈ 4e-18, is below half an ulp. 2^n is built from its exponent bits
// (−1021 ≤ n ≤ 1024 for −708 ≤ x ≤ 709.78); below −708 the result is 0 (e^−708 ≈ 3e-308: what
// is lost is below any loss's tolerance).
// n is rounded the way the hardware rounds: adding 1.5·2^52 leaves n in the low bits of the sum
// (for |n| < 2^51), which gives both n as a double and, by integer subtraction of the bits, n as an
// integer for the exponent, in three native operations (f64x2.nearest and the float-to-int
// conversion cost V8 long instruction sequences: measured 2 ns per element, more than the rest).
// Clamping uses pmax (one maxpd) rather than max, whose NaN and −0 rules V8 spells out.
//
// Every function works on W = 8 vectors (16 elements) at once, each step applied to all eight
// before the next: the polynomials are chains of dependent multiply-adds, and eight independent
// chains keep the lanes busy where one waits on its latency (measured for exp: 8.2 ns per element
// one vector at a time, 5.0 with four, 2.2 with eight, 3.7 with sixteen, which spill registers).
#define W 8
static const double LOG2E = 1.4426950408889634;
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double SHIFT = 6755399441055744.0; // 1.5·2^52
// Keras's ε (backend.epsilon()), the bounds of its probability clips.
static const double KERAS_EPS = 1e-7;
static const double KERAS_HIGH = 1.0 - 1e-7;
static const double EXP_TAYLOR[14] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0,
                                      1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};

/** x[j] ← e^x[j] for x ≤ 709.78 (0 below −708). */
static inline void exp_nonpositive(f64x2* x) {
  f64x2 small[W], kd[W], r[W], p[W];
  for (int j = 0; j < W; j++) {
    small[j] = wasm_f64x2_lt(x[j], SPLAT(-708.0));
    f64x2 xc = wasm_f64x2_pmax(x[j], SPLAT(-708.0));
    kd[j] = wasm_f64x2_add(wasm_f64x2_mul(xc, SPLAT(LOG2E)), SPLAT(SHIFT));
    f64x2 n = wasm_f64x2_sub(kd[j], SPLAT(SHIFT));
    r[j] = wasm_f64x2_sub(wasm_f64x2_sub(xc, wasm_f64x2_mul(n, SPLAT(LN2_HI))), wasm_f64x2_mul(n, SPLAT(LN2_LO)));
    p[j] = SPLAT(EXP_TAYLOR[0]);
  }
  for (int c = 1; c < 14; c++)
    for (int j = 0; j < W; j++) p[j] = wasm_f64x2_add(wasm_f64x2_mul(p[j], r[j]), SPLAT(EXP_TAYLOR[c]));
  for (int j = 0; j < W; j++) {
    // 2^n as 2^(n − 1)·2: the biased exponent n − 1 + 1023 in bits 52..62 stays in range for
    // n = 1024 (x up to 709.78) and for n = −1021 (x down to −708).
    v128_t k = wasm_i64x2_sub(kd[j], SPLAT(SHIFT));
    f64x2 scale = wasm_i64x2_shl(wasm_i64x2_add(k, wasm_i64x2_splat(1022)), 52);
    x[j] = wasm_v128_andnot(wasm_f64x2_mul(wasm_f64x2_mul(p[j], scale), SPLAT(2.0)), small[j]);
  }
}

// log1p(u) for −½ ≤ u ≤ 1: with s = u/(2 + u) (|s| ≤ 1/3), log1p(u) = log((1 + s)/(1 − s)) =
// 2·atanh(s) = 2s + s·R, R = Σ_{k≥1} 2s^2k/(2k + 1). s is formed from u directly, so small u keep
// their digits (no 1 + u rounding); with s² ≤ 1/9 the terms to k = 17 leave out less than 1e-18
// relative. As fdlibm does, the result is u − (h − s·(h + R)) with h = u²/2 (2s = u − s·u), so
// that the rounding of s only reaches the smaller terms.
/** u[j] ← log1p(u[j]) for −½ ≤ u ≤ 1. */
static inline void log1p_unit(f64x2* u) {
  f64x2 s[W], z[W], r[W];
  for (int j = 0; j < W; j++) {
    s[j] = wasm_f64x2_div(u[j], wasm_f64x2_add(SPLAT(2.0), u[j]));
    z[j] = wasm_f64x2_mul(s[j], s[j]);
    r[j] = SPLAT(2.0 / 35.0);
  }
  for (int k = 16; k >= 1; k--)
    for (int j = 0; j < W; j++) r[j] = wasm_f64x2_add(wasm_f64x2_mul(r[j], z[j]), SPLAT(2.0 / (2 * k + 1)));
  for (int j = 0; j < W; j++) {
    f64x2 h = wasm_f64x2_mul(SPLAT(0.5), wasm_f64x2_mul(u[j], u[j]));
    u[j] = wasm_f64x2_sub(u[j], wasm_f64x2_sub(h, wasm_f64x2_mul(s[j], wasm_f64x2_add(h, wasm_f64x2_mul(r[j], z[j])))));
  }
}

// bce_with_logits without weights, elements [0, n) of x (logits) and t (targets):
//   ℓ = (1 − t)·x + softplus(−x),  softplus(−x) = max(−x, 0) + log1p(e^−|x|)
//   dℓ/dx = σ(x) − t,  σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) below, e = e^−|x|
// (the derivation is bceWithLogits.ts's, with pos_weight and weight 1). per and grad are written
// when not 0; grad is scaled by `scale`. Returns Σℓ: each of the 16 lanes sums its own elements,
// then the lanes are added in order, so a range always gives the same bits.
static void bce_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  f64x2 xv[W], e[W], lg[W];
  for (int j = 0; j < W; j++) {
    xv[j] = wasm_v128_load(x + 2 * j);
    e[j] = wasm_f64x2_neg(wasm_f64x2_abs(xv[j]));
  }
  exp_nonpositive(e);
  for (int j = 0; j < W; j++) lg[j] = e[j];
  log1p_unit(lg);
  for (int j = 0; j < W; j++) {
    f64x2 tv = wasm_v128_load(t + 2 * j);
    f64x2 softplus_neg = wasm_f64x2_add(wasm_f64x2_pmax(wasm_f64x2_neg(xv[j]), SPLAT(0.0)), lg[j]);
    f64x2 v = wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_sub(SPLAT(1.0), tv), xv[j]), softplus_neg);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 neg = wasm_f64x2_lt(xv[j], SPLAT(0.0));
      f64x2 sig = wasm_f64x2_div(wasm_v128_bitselect(e[j], SPLAT(1.0), neg), wasm_f64x2_add(SPLAT(1.0), e[j]));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_sub(sig, tv), scale));
    }
  }
}

/** A tail shorter than a block runs through the same code on padded copies. */
static double pad_x[2 * W] __attribute__((aligned(16)));
static double pad_t[2 * W] __attribute__((aligned(16)));
static double pad_per[2 * W] __attribute__((aligned(16)));
static double pad_grad[2 * W] __attribute__((aligned(16)));

/** a[i] ← f(a[i]) for i in [0, n): blocks of 16, a tail through a copy padded with `pad` (a value
 *  inside f's range). */
static void map_inplace(void (*f)(f64x2*), double* a, int n, double pad) {
  int i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    f64x2 v[W];
    for (int j = 0; j < W; j++) v[j] = wasm_v128_load(a + i + 2 * j);
    f(v);
    for (int j = 0; j < W; j++) wasm_v128_store(a + i + 2 * j, v[j]);
  }
  if (i == n) return;
  for (int k = 0; k < 2 * W; k++) pad_x[k] = i + k < n ? a[i + k] : pad;
  map_inplace(f, pad_x, 2 * W, pad);
  for (int k = 0; i + k < n; k++) a[i + k] = pad_x[k];
}

// log(v) for any positive normal v (subnormals and 0 come out near −709 or below: the callers
// clamp or never pass them): v = 2^k·f with f in [√½, √2) read from its bits, log v = k·ln2 +
// log1p(f − 1), f − 1 exact and in [−0.293, 0.415] where log1p_unit holds; near v = 1 it is k = 0,
// so nothing cancels. k is turned into a double by the 1.5·2^52 trick in reverse.
static const double SQRT2 = 1.4142135623730951;

/** v = 2^k·(1 + u), f = 1 + u in [√½, √2): k as a double, u exact. */
static inline void decompose(f64x2 v, f64x2* k, f64x2* u) {
  v128_t e = wasm_i64x2_sub(wasm_u64x2_shr(v, 52), wasm_i64x2_splat(1023));
  f64x2 kd = wasm_f64x2_sub(wasm_i64x2_add(SPLAT(SHIFT), e), SPLAT(SHIFT));
  f64x2 f = wasm_v128_or(wasm_v128_and(v, wasm_i64x2_splat(0x000FFFFFFFFFFFFFLL)), wasm_i64x2_splat(0x3FF0000000000000LL));
  f64x2 high = wasm_f64x2_gt(f, SPLAT(SQRT2));
  f = wasm_v128_bitselect(wasm_f64x2_mul(f, SPLAT(0.5)), f, high);
  *k = wasm_v128_bitselect(wasm_f64x2_add(kd, SPLAT(1.0)), kd, high);
  *u = wasm_f64x2_sub(f, SPLAT(1.0));
}

/** log1p(u[j]) + k[j]·ln2, ln2 in two parts. */
static inline void log1p_scaled(f64x2* u, const f64x2* k) {
  log1p_unit(u);
  for (int j = 0; j < W; j++) u[j] = wasm_f64x2_add(wasm_f64x2_mul(k[j], SPLAT(LN2_HI)), wasm_f64x2_add(u[j], wasm_f64x2_mul(k[j], SPLAT(LN2_LO))));
}

static inline void log_positive(f64x2* v) {
  f64x2 k[W];
  for (int j = 0; j < W; j++) decompose(v[j], &k[j], &v[j]);
  log1p_scaled(v, k);
}

// A row left out (weight 0: Keras's masked or zero-weighted samples; cross_entropy's ignored
// target): its value 0 and a zero gradient row.
static inline void zero_row(double* value, double* g, int D) {
  *value = 0;
  if (g)
    for (int k = 0; k < D; k++) g[k] = 0;
}

// log p and log(1 − p) for W vectors of probabilities p in (0, 1): log(1 − p) is log1p(−p) itself
// for p ≤ ½ (exact for small p) and the log of the exact 1 − p above; one log1p_unit per lane
// either way.
static inline void log_p_and_1mp(const f64x2* p, f64x2* lp, f64x2* l1m) {
  f64x2 k1m[W];
  for (int j = 0; j < W; j++) {
    lp[j] = p[j];
    f64x2 low = wasm_f64x2_le(p[j], SPLAT(0.5));
    f64x2 kb, ub;
    decompose(wasm_f64x2_sub(SPLAT(1.0), p[j]), &kb, &ub);
    k1m[j] = wasm_v128_and(kb, wasm_v128_not(low));
    l1m[j] = wasm_v128_bitselect(wasm_f64x2_neg(p[j]), ub, low);
  }
  log_positive(lp);
  log1p_scaled(l1m, k1m);
}

// cross_entropy with class-index targets, without weight or label smoothing, rows [0, rows) of C
// logits (the derivation is crossEntropy.ts's): with m the row's max, S = Σ_c e^(x_c − m),
//   ℓ = m + log S − x_y,  dℓ/dx_c = e^(x_c − m)/S − [c = y]
// (every exponent ≤ 0, so nothing overflows). A row whose target is `ignore`, or whose weight
// w[r] is 0, gets 0 and a zero gradient row; row r's gradient is scaled by scale·w[r] (w null: 1;
// keras.sparse_categorical_crossentropy's row weights). e (rows·C) and sums (rows) are work
// space. Returns Σ w_r·ℓ_r, added row by row in order.
double EXPORT(cross_entropy_indices)(const double* x, const double* y, int rows, int C, double ignore, double* per, double* grad, double scale, const double* w, double* e, double* sums) {
  for (int r = 0; r < rows; r++) {
    const double* row = x + r * C;
    double m = row[0];
    for (int c = 1; c < C; c++) m = row[c] > m ? row[c] : m;
    sums[r] = m; // the max, until the sum replaces it
    for (int c = 0; c < C; c++) e[r * C + c] = row[c] - m;
  }
  map_inplace(exp_nonpositive, e, rows * C, 0);
  double* logs = sums + rows; // rows more of work space
  for (int r = 0; r < rows; r++) {
    double s = 0;
    for (int c = 0; c < C; c++) s += e[r * C + c];
    logs[r] = s;
  }
  // sums: the maxima; logs: S, then log S.
  for (int r = 0; r < rows; r++) e[rows * C + r] = logs[r]; // keep S for the gradient
  map_inplace(log_positive, logs, rows, 1);
  double total = 0;
  for (int r = 0; r < rows; r++) {
    const double t = y[r];
    const double wr = w ? w[r] : 1.0;
    if (t == ignore || wr == 0) {
      double unused;
      zero_row(per ? per + r : &unused, grad ? grad + r * C : 0, C);
      continue;
    }
    const int k = (int)t;
    const double v = sums[r] + logs[r] - x[r * C + k];
    total += w ? wr * v : v;
    if (per) per[r] = v;
    if (grad) {
      const double sc = w ? scale * wr : scale;
      const double inv = sc / e[rows * C + r];
      for (int c = 0; c < C; c++) grad[r * C + c] = e[r * C + c] * inv;
      grad[r * C + k] -= sc;
    }
  }
  return total;
}

// Categorical cross-entropy over rows [0, rows) of C (multiclass/kerasProbabilities.ts derives it
// in categoricalRow, which stays the scalar reference), targets smoothed to t′ = (1 − ε)·t + ε/C:
//   from_logits: with m the row's max, S = Σ_c e^(x_c − m) and lse = m + log S,
//     ℓ = Σ_c t′_c·(lse − x_c),  dℓ/dx_c = (Σ t′)·e^(x_c − m)/S − t′_c;
//   probabilities: s = Σ x, q_c = x_c/s, p_c = clip(q_c, 1e-7, 1 − 1e-7),
//     ℓ = −Σ_c t′_c·log p_c,  dℓ/dx_k = (a_k − Σ_c a_c·q_c)/s, a_c = −t′_c/p_c inside the clip (its
//     bounds included), 0 outside.
// The exponentials and logarithms of the whole call run vectorised first (e, 2·rows·C, and sums,
// 2·rows, are work space); then each row in the scalar code's order. Row r's gradient is scaled
// by scale·w[r] (w null: 1); a row of weight 0 gives 0 and a zero gradient row. per gets each
// row's ℓ; returns Σ_r w_r·ℓ_r in row order.
static double logits_row(const double* x, const double* t, const double* e, double lse, int C, double eps, double* g, double scale) {
  double v = 0, T = 0, S = 0;
  for (int c = 0; c < C; c++) {
    const double tc = (1 - eps) * t[c] + eps / C;
    T += tc;
    v += tc * (lse - x[c]);
  }
  if (g) {
    for (int c = 0; c < C; c++) S += e[c];
    const double f = T / S;
    for (int c = 0; c < C; c++) g[c] = (f * e[c] - ((1 - eps) * t[c] + eps / C)) * scale;
  }
  return v;
}

static double probability_row(const double* x, const double* t, const double* p, const double* lp, double s, int C, double eps, double* g, double scale) {
  double v = 0, aq = 0;
  for (int c = 0; c < C; c++) {
    const double tc = (1 - eps) * t[c] + eps / C;
    v -= tc * lp[c];
    if (g) {
      const double q = x[c] / s;
      const double a = q >= KERAS_EPS && q <= KERAS_HIGH ? -tc / p[c] : 0;
      aq += a * q;
      g[c] = a;
    }
  }
  if (g)
    for (int c = 0; c < C; c++) g[c] = ((g[c] - aq) / s) * scale;
  return v;
}

double EXPORT(categorical_rows)(const double* x, const double* t, int rows, int C, double eps, int from_logits, double* per, double* grad, double scale, const double* w, double* e, double* sums) {
  const int n = rows * C;
  double* logs = sums + rows; // from_logits: S, then log S
  double* lp = e + n;         // probabilities: log p
  for (int r = 0; r < rows; r++) {
    const double* row = x + r * C;
    double* er = e + r * C;
    if (from_logits) {
      double m = row[0];
      for (int c = 1; c < C; c++) m = row[c] > m ? row[c] : m;
      sums[r] = m;
      for (int c = 0; c < C; c++) er[c] = row[c] - m;
    } else {
      double s = 0;
      for (int c = 0; c < C; c++) s += row[c];
      sums[r] = s;
      for (int c = 0; c < C; c++) {
        const double q = row[c] / s;
        er[c] = q < KERAS_EPS ? KERAS_EPS : (q < KERAS_HIGH ? q : KERAS_HIGH);
        lp[r * C + c] = er[c];
      }
    }
  }
  if (from_logits) {
    map_inplace(exp_nonpositive, e, n, 0);
    for (int r = 0; r < rows; r++) {
      double S = 0;
      for (int c = 0; c < C; c++) S += e[r * C + c];
      logs[r] = S;
    }
    map_inplace(log_positive, logs, rows, 1);
  } else {
    map_inplace(log_positive, lp, n, 1);
  }
  double total = 0;
  for (int r = 0; r < rows; r++) {
    const double wr = w ? w[r] : 1.0;
    double* g = grad ? grad + r * C : 0;
    if (wr == 0) {
      zero_row(per + r, g, C);
      continue;
    }
    const double v = from_logits ? logits_row(x + r * C, t + r * C, e + r * C, sums[r] + logs[r], C, eps, g, scale * wr)
                                 : probability_row(x + r * C, t + r * C, e + r * C, lp + r * C, sums[r], C, eps, g, scale * wr);
    per[r] = v;
    total += w ? wr * v : v;
  }
  return total;
}

// logistic (soft margin) without weights: m = y·x, ℓ = softplus(−m) = max(−m, 0) + log1p(e^−|m|),
// dℓ/dx = −y·σ(−m), σ(−m) = 1/(1 + e) for m ≤ 0 and e/(1 + e) above (logistic.ts derives it).
static void logistic_block(const double* x, const double* y, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  f64x2 m[W], e[W], lg[W];
  for (int j = 0; j < W; j++) {
    m[j] = wasm_f64x2_mul(wasm_v128_load(y + 2 * j), wasm_v128_load(x + 2 * j));
    e[j] = wasm_f64x2_neg(wasm_f64x2_abs(m[j]));
  }
  exp_nonpositive(e);
  for (int j = 0; j < W; j++) lg[j] = e[j];
  log1p_unit(lg);
  for (int j = 0; j < W; j++) {
    f64x2 v = wasm_f64x2_add(wasm_f64x2_pmax(wasm_f64x2_neg(m[j]), SPLAT(0.0)), lg[j]);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 pos = wasm_f64x2_gt(m[j], SPLAT(0.0));
      f64x2 sig = wasm_f64x2_div(wasm_v128_bitselect(e[j], SPLAT(1.0), pos), wasm_f64x2_add(SPLAT(1.0), e[j]));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_neg(wasm_f64x2_mul(wasm_v128_load(y + 2 * j), sig)), scale));
    }
  }
}

// binary_cross_entropy on probabilities without weights (binaryCrossEntropy.ts derives it):
//   ℓ = −(t·max(log p, −100) + (1 − t)·max(log(1 − p), −100)),
// log(1 − p) as log1p(−p) for p ≤ ½ (exact for small p) and as log of the exact 1 − p above;
// the gradient is PyTorch's backward, (p − t)/max(p·(1 − p), ε) with ε = 1e-12 as a C float.
static const double BCE_EPS = 9.999999960041972e-13;

static void bce_prob_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  f64x2 p[W], lp[W], l1m[W];
  for (int j = 0; j < W; j++) p[j] = wasm_v128_load(x + 2 * j);
  log_p_and_1mp(p, lp, l1m);
  for (int j = 0; j < W; j++) {
    f64x2 tv = wasm_v128_load(t + 2 * j);
    f64x2 log1m = wasm_f64x2_pmax(l1m[j], SPLAT(-100.0));
    f64x2 logp = wasm_f64x2_pmax(lp[j], SPLAT(-100.0));
    f64x2 v = wasm_f64x2_neg(wasm_f64x2_add(wasm_f64x2_mul(tv, logp), wasm_f64x2_mul(wasm_f64x2_sub(SPLAT(1.0), tv), log1m)));
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 d = wasm_f64x2_pmax(wasm_f64x2_mul(p[j], wasm_f64x2_sub(SPLAT(1.0), p[j])), SPLAT(BCE_EPS));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_div(wasm_f64x2_sub(p[j], tv), d), scale));
    }
  }
}

// keras.binary_crossentropy on probabilities (keras/binaryCrossentropy.ts derives it): with
// ε = 1e-7 and p = clip(x, ε, 1 − ε),
//   ℓ = −(t·log p + (1 − t)·log(1 − p))  (the clip keeps both logs above −16.2: no clamp at −100),
//   dℓ/dx = (p − t)/(p·(1 − p)) inside the clip, its bounds included, and 0 outside;

static void keras_bce_prob_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  f64x2 xv[W], p[W], lp[W], l1m[W];
  for (int j = 0; j < W; j++) {
    xv[j] = wasm_v128_load(x + 2 * j);
    p[j] = wasm_f64x2_pmin(wasm_f64x2_pmax(xv[j], SPLAT(KERAS_EPS)), SPLAT(KERAS_HIGH));
  }
  log_p_and_1mp(p, lp, l1m);
  for (int j = 0; j < W; j++) {
    f64x2 tv = wasm_v128_load(t + 2 * j);
    f64x2 v = wasm_f64x2_neg(wasm_f64x2_add(wasm_f64x2_mul(tv, lp[j]), wasm_f64x2_mul(wasm_f64x2_sub(SPLAT(1.0), tv), l1m[j])));
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 inside = wasm_v128_and(wasm_f64x2_ge(xv[j], SPLAT(KERAS_EPS)), wasm_f64x2_le(xv[j], SPLAT(KERAS_HIGH)));
      f64x2 g = wasm_f64x2_div(wasm_f64x2_sub(p[j], tv), wasm_f64x2_mul(p[j], wasm_f64x2_sub(SPLAT(1.0), p[j])));
      wasm_v128_store(grad + 2 * j, wasm_v128_and(wasm_f64x2_mul(g, scale), inside));
    }
  }
}

// mse (mse.ts): d = x − t, ℓ = d², dℓ/dx = 2d. Memory-bound: here so that its gradient is checked
// in the module's memory (first_beyond) and no second pass over it is needed.
static void mse_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  for (int j = 0; j < W; j++) {
    f64x2 d = wasm_f64x2_sub(wasm_v128_load(x + 2 * j), wasm_v128_load(t + 2 * j));
    f64x2 v = wasm_f64x2_mul(d, d);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_add(d, d), scale));
  }
}

// l1 (l1.ts): ℓ = |d|, dℓ/dx = sign(d) with sign(0) = 0, as PyTorch's.
static void l1_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  for (int j = 0; j < W; j++) {
    f64x2 d = wasm_f64x2_sub(wasm_v128_load(x + 2 * j), wasm_v128_load(t + 2 * j));
    f64x2 v = wasm_f64x2_abs(d);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 up = wasm_v128_and(wasm_f64x2_gt(d, SPLAT(0.0)), SPLAT(1.0));
      f64x2 down = wasm_v128_and(wasm_f64x2_lt(d, SPLAT(0.0)), SPLAT(1.0));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_sub(up, down), scale));
    }
  }
}

// huber with δ (huber.ts derives it): d = x − t, a = |d|, c = a inside (a ≤ δ) and δ outside,
//   ℓ = c·(a − ½c) (½d² inside, δ(a − ½δ) outside, never squaring a huge d),
//   dℓ/dx = clamp(d, −δ, δ).
static void huber_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* param, f64x2* sum) {
  f64x2 dl = SPLAT(param[0]);
  for (int j = 0; j < W; j++) {
    f64x2 d = wasm_f64x2_sub(wasm_v128_load(x + 2 * j), wasm_v128_load(t + 2 * j));
    f64x2 a = wasm_f64x2_abs(d);
    f64x2 c = wasm_v128_bitselect(a, dl, wasm_f64x2_le(a, dl));
    f64x2 v = wasm_f64x2_mul(c, wasm_f64x2_sub(a, wasm_f64x2_mul(SPLAT(0.5), c)));
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_pmin(wasm_f64x2_pmax(d, wasm_f64x2_neg(dl)), dl), scale));
  }
}

// smooth_l1 with β (smoothL1.ts derives it): ℓ = ½d²/β where |d| < β, |d| − ½β beyond;
// dℓ/dx = d/β inside, sign(d) beyond (0 at d = 0; β = 0 is the L1 loss).
static void smooth_l1_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* param, f64x2* sum) {
  f64x2 b = SPLAT(param[0]);
  for (int j = 0; j < W; j++) {
    f64x2 d = wasm_f64x2_sub(wasm_v128_load(x + 2 * j), wasm_v128_load(t + 2 * j));
    f64x2 a = wasm_f64x2_abs(d);
    f64x2 in = wasm_f64x2_lt(a, b);
    f64x2 v = wasm_v128_bitselect(wasm_f64x2_div(wasm_f64x2_mul(wasm_f64x2_mul(SPLAT(0.5), d), d), b), wasm_f64x2_sub(a, wasm_f64x2_mul(SPLAT(0.5), b)), in);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 sign = wasm_f64x2_sub(wasm_v128_and(wasm_f64x2_gt(d, SPLAT(0.0)), SPLAT(1.0)), wasm_v128_and(wasm_f64x2_lt(d, SPLAT(0.0)), SPLAT(1.0)));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_v128_bitselect(wasm_f64x2_div(d, b), sign, in), scale));
    }
  }
}

// exp(x) for any x: exp_nonpositive up to 709.78, where e^x is the largest double; past it +∞
// (the callers answer such a value with 422, as the scalar kernels do).
static inline void exp_any(f64x2* x) {
  f64x2 over[W];
  for (int j = 0; j < W; j++) {
    over[j] = wasm_f64x2_gt(x[j], SPLAT(709.78));
    x[j] = wasm_f64x2_pmin(x[j], SPLAT(709.78));
  }
  exp_nonpositive(x);
  for (int j = 0; j < W; j++) x[j] = wasm_v128_bitselect(SPLAT(__builtin_inf()), x[j], over[j]);
}

// sigmoid_focal with α (negative: none) and γ (sigmoidFocal.ts derives it): s = (2t − 1)·x,
//   bce = softplus(−s) = max(−s, 0) + log1p(e),  e = e^−|s|,
//   σ(−s)^γ = exp(−γ·softplus(s)) (softplus(s) = bce + s), the same number as the scalar pow,
//   ℓ = α_t·σ(−s)^γ·bce,  dℓ/dx = −(2t − 1)·α_t·σ(−s)^γ·(γ·σ(s)·bce + σ(−s)).
static void focal_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* param, f64x2* sum) {
  double alpha = param[0], gamma = param[1];
  f64x2 s[W], e[W], lg[W], focus[W];
  for (int j = 0; j < W; j++) {
    f64x2 tv = wasm_v128_load(t + 2 * j);
    s[j] = wasm_f64x2_mul(wasm_f64x2_sub(wasm_f64x2_add(tv, tv), SPLAT(1.0)), wasm_v128_load(x + 2 * j));
    e[j] = wasm_f64x2_neg(wasm_f64x2_abs(s[j]));
  }
  exp_nonpositive(e);
  for (int j = 0; j < W; j++) lg[j] = e[j];
  log1p_unit(lg);
  for (int j = 0; j < W; j++) {
    f64x2 bce = wasm_f64x2_add(wasm_f64x2_pmax(wasm_f64x2_neg(s[j]), SPLAT(0.0)), lg[j]);
    lg[j] = bce;
    focus[j] = wasm_f64x2_mul(SPLAT(-gamma), wasm_f64x2_add(bce, s[j])); // −γ·softplus(s) ≤ 0
  }
  exp_nonpositive(focus);
  for (int j = 0; j < W; j++) {
    f64x2 tv = wasm_v128_load(t + 2 * j);
    f64x2 a = alpha < 0 ? SPLAT(1.0) : wasm_f64x2_add(wasm_f64x2_mul(tv, SPLAT(alpha)), wasm_f64x2_mul(wasm_f64x2_sub(SPLAT(1.0), tv), SPLAT(1.0 - alpha)));
    f64x2 v = wasm_f64x2_mul(wasm_f64x2_mul(a, focus[j]), lg[j]);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 up = wasm_f64x2_ge(s[j], SPLAT(0.0));
      f64x2 denom = wasm_f64x2_add(SPLAT(1.0), e[j]);
      f64x2 sig_neg = wasm_f64x2_div(wasm_v128_bitselect(e[j], SPLAT(1.0), up), denom);
      f64x2 sig_pos = wasm_f64x2_div(wasm_v128_bitselect(SPLAT(1.0), e[j], up), denom);
      f64x2 ds = wasm_f64x2_neg(wasm_f64x2_mul(wasm_f64x2_mul(a, focus[j]), wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_mul(SPLAT(gamma), sig_pos), lg[j]), sig_neg)));
      f64x2 sgn = wasm_f64x2_sub(wasm_f64x2_add(tv, tv), SPLAT(1.0));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_mul(sgn, ds), scale));
    }
  }
}

// poisson_nll (poissonNll.ts derives it) with log_input (p0 ≠ 0), eps (p1) and full (p2 ≠ 0):
//   log_input: ℓ = e^x − y·x, dℓ/dx = e^x − y;  rates: ℓ = x − y·log(x + eps), dℓ/dx = 1 − y/(x + eps);
//   full adds y·log y − y + ½·log(2πy) where y > 1.
static const double HALF_LOG_2PI = 0.91893853320467274178;

static void poisson_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* param, f64x2* sum) {
  int log_input = param[0] != 0, full = param[2] != 0;
  f64x2 eps = SPLAT(param[1]);
  f64x2 xv[W], f[W], ly[W];
  for (int j = 0; j < W; j++) {
    xv[j] = wasm_v128_load(x + 2 * j);
    f[j] = log_input ? xv[j] : wasm_f64x2_add(xv[j], eps);
    ly[j] = wasm_f64x2_pmax(wasm_v128_load(t + 2 * j), SPLAT(1.0)); // log y where y > 1 (else unused)
  }
  if (log_input) exp_any(f);
  else log_positive(f);
  if (full) log_positive(ly);
  for (int j = 0; j < W; j++) {
    f64x2 y = wasm_v128_load(t + 2 * j);
    f64x2 v, g;
    if (log_input) {
      v = wasm_f64x2_sub(f[j], wasm_f64x2_mul(y, xv[j]));
      g = wasm_f64x2_sub(f[j], y);
    } else {
      v = wasm_f64x2_sub(xv[j], wasm_f64x2_mul(y, f[j]));
      g = wasm_f64x2_sub(SPLAT(1.0), wasm_f64x2_div(y, wasm_f64x2_add(xv[j], eps)));
    }
    if (full) {
      f64x2 stirling = wasm_f64x2_add(wasm_f64x2_sub(wasm_f64x2_mul(y, ly[j]), y), wasm_f64x2_mul(SPLAT(0.5), wasm_f64x2_add(SPLAT(2 * HALF_LOG_2PI), ly[j])));
      v = wasm_f64x2_add(v, wasm_v128_and(stirling, wasm_f64x2_gt(y, SPLAT(1.0))));
    }
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(g, scale));
  }
}

// kl_div (klDiv.ts derives it), log_target p0 ≠ 0: ℓ = e^t·(t − x), dℓ/dx = −e^t; otherwise
// ℓ = t·(log t − x) for t > 0 and 0 for t = 0, dℓ/dx = −t.
static void kl_div_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* param, f64x2* sum) {
  int log_target = param[0] != 0;
  f64x2 f[W];
  for (int j = 0; j < W; j++) {
    f64x2 tv = wasm_v128_load(t + 2 * j);
    f[j] = log_target ? tv : wasm_f64x2_pmax(tv, SPLAT(1e-300)); // log t where t > 0 (else unused)
  }
  if (log_target) exp_any(f);
  else log_positive(f);
  for (int j = 0; j < W; j++) {
    f64x2 tv = wasm_v128_load(t + 2 * j);
    f64x2 xv = wasm_v128_load(x + 2 * j);
    f64x2 v, g;
    if (log_target) {
      v = wasm_f64x2_mul(f[j], wasm_f64x2_sub(tv, xv));
      g = wasm_f64x2_neg(f[j]);
    } else {
      v = wasm_v128_and(wasm_f64x2_mul(tv, wasm_f64x2_sub(f[j], xv)), wasm_f64x2_gt(tv, SPLAT(0.0)));
      g = wasm_f64x2_neg(tv);
    }
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(g, scale));
  }
}

/** v[j] ← log1p(v[j]) for v ≥ 0 of any size: up to 1 it is log1p_unit's own range; beyond, 1 + v
 *  (rounded by less than an ulp of a number ≥ 2, whose log has no cancellation) is decomposed,
 *  so that every lane takes one log1p_unit. */
static inline void log1p_nonnegative(f64x2* v) {
  f64x2 k[W];
  for (int j = 0; j < W; j++) {
    f64x2 small = wasm_f64x2_le(v[j], SPLAT(1.0));
    f64x2 kb, ub;
    decompose(wasm_f64x2_add(SPLAT(1.0), v[j]), &kb, &ub);
    k[j] = wasm_v128_and(kb, wasm_v128_not(small));
    v[j] = wasm_v128_bitselect(v[j], ub, small);
  }
  log1p_scaled(v, k);
}

// msle (msle.ts derives it) and keras.mean_squared_logarithmic_error
// (keras/meanSquaredLogarithmicError.ts): d = L(x) − L(t), ℓ = d², dℓ/dx = 2d/(1 + max(x, f)) for
// x ≥ f and 0 below, where msle has L(v) = log1p(max(v, 0)) and f = 0, and Keras's clip
// L(v) = log(max(v, ε) + 1) (the log of the rounded sum, as Keras writes it) and f = ε.
static inline void squared_log_error(const double* x, const double* t, double* per, double* grad, f64x2 scale, f64x2* sum, double floor, int keras) {
  f64x2 lx[W], lt[W];
  const f64x2 f = SPLAT(floor), one = SPLAT(keras ? 1.0 : 0.0);
  for (int j = 0; j < W; j++) {
    lx[j] = wasm_f64x2_add(wasm_f64x2_pmax(wasm_v128_load(x + 2 * j), f), one);
    lt[j] = wasm_f64x2_add(wasm_f64x2_pmax(wasm_v128_load(t + 2 * j), f), one);
  }
  if (keras) {
    log_positive(lx);
    log_positive(lt);
  } else {
    log1p_nonnegative(lx);
    log1p_nonnegative(lt);
  }
  for (int j = 0; j < W; j++) {
    f64x2 xv = wasm_v128_load(x + 2 * j);
    f64x2 d = wasm_f64x2_sub(lx[j], lt[j]);
    f64x2 v = wasm_f64x2_mul(d, d);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 g = wasm_f64x2_div(wasm_f64x2_add(d, d), wasm_f64x2_add(SPLAT(1.0), wasm_f64x2_pmax(xv, f)));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_v128_and(g, wasm_f64x2_ge(xv, f)), scale));
    }
  }
}

static void msle_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  squared_log_error(x, t, per, grad, scale, sum, 0.0, 0);
}

static void keras_msle_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  squared_log_error(x, t, per, grad, scale, sum, KERAS_EPS, 1);
}

// keras.binary_focal_crossentropy's terms (keras/binaryFocalCrossentropy.ts derives them), targets
// smoothed by the caller, γ = p0, α = p1, p2 = from_logits + 2·apply_class_balancing:
//   p = σ(x) (e/(1 + e) or 1/(1 + e), e = e^−|x|) with from_logits, else x; p̂ = clip(p, ε, 1 − ε);
//   bce = −(y·log p̂ + (1 − y)·log(1 − p̂));  q = 1 − (y·p + (1 − y)·(1 − p));
//   ℓ = w·q^γ·bce,  w = y·α + (1 − y)·(1 − α) with class balancing, else 1;
//   dℓ/dp = w·(−γ·q^(γ−1)·(2y − 1)·bce + q^γ·dbce/dp), dbce/dp = (p̂ − y)/(p̂·(1 − p̂)) inside the
//   clip and 0 outside; times p·(1 − p) with from_logits.
// q^a = e^(a·log q) for q > 0; at q = 0, q^0 = 1 and q^a = 0 (a > 0) or +∞ (a < 0), as pow gives.
// q is taken as max(q, 0): a q rounded just below 0 (y·p + (1 − y)·(1 − p) an ulp above 1) is 0.
static void keras_binary_focal_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* param, f64x2* sum) {
  const double gamma = param[0], alpha = param[1];
  const int logits = (int)param[2] & 1, balanced = (int)param[2] & 2;
  f64x2 p[W], e[W], pc[W], lp[W], l1m[W], lq[W], focal[W], dfocal[W], zero[W];
  for (int j = 0; j < W; j++) {
    f64x2 xv = wasm_v128_load(x + 2 * j);
    e[j] = wasm_f64x2_neg(wasm_f64x2_abs(xv));
  }
  if (logits) exp_nonpositive(e);
  for (int j = 0; j < W; j++) {
    f64x2 xv = wasm_v128_load(x + 2 * j);
    if (logits) {
      f64x2 neg = wasm_f64x2_lt(xv, SPLAT(0.0));
      p[j] = wasm_f64x2_div(wasm_v128_bitselect(e[j], SPLAT(1.0), neg), wasm_f64x2_add(SPLAT(1.0), e[j]));
    } else {
      p[j] = xv;
    }
    pc[j] = wasm_f64x2_pmin(wasm_f64x2_pmax(p[j], SPLAT(KERAS_EPS)), SPLAT(KERAS_HIGH));
    f64x2 y = wasm_v128_load(t + 2 * j);
    f64x2 pt = wasm_f64x2_add(wasm_f64x2_mul(y, p[j]), wasm_f64x2_mul(wasm_f64x2_sub(SPLAT(1.0), y), wasm_f64x2_sub(SPLAT(1.0), p[j])));
    f64x2 q = wasm_f64x2_pmax(wasm_f64x2_sub(SPLAT(1.0), pt), SPLAT(0.0));
    zero[j] = wasm_f64x2_eq(q, SPLAT(0.0));
    lq[j] = wasm_v128_bitselect(SPLAT(1.0), q, zero[j]);
  }
  log_p_and_1mp(pc, lp, l1m);
  log_positive(lq);
  for (int j = 0; j < W; j++) {
    focal[j] = wasm_f64x2_mul(SPLAT(gamma), lq[j]);
    dfocal[j] = wasm_f64x2_mul(SPLAT(gamma - 1), lq[j]);
  }
  exp_any(focal);
  exp_any(dfocal);
  const f64x2 focal0 = SPLAT(gamma == 0 ? 1.0 : 0.0);
  const f64x2 dfocal0 = SPLAT(gamma > 1 ? 0.0 : (gamma == 1 ? 1.0 : __builtin_inf()));
  for (int j = 0; j < W; j++) {
    f64x2 y = wasm_v128_load(t + 2 * j);
    f64x2 fq = wasm_v128_bitselect(focal0, focal[j], zero[j]);
    f64x2 bce = wasm_f64x2_neg(wasm_f64x2_add(wasm_f64x2_mul(y, lp[j]), wasm_f64x2_mul(wasm_f64x2_sub(SPLAT(1.0), y), l1m[j])));
    f64x2 w = balanced ? wasm_f64x2_add(wasm_f64x2_mul(y, SPLAT(alpha)), wasm_f64x2_mul(wasm_f64x2_sub(SPLAT(1.0), y), SPLAT(1.0 - alpha))) : SPLAT(1.0);
    f64x2 v = wasm_f64x2_mul(wasm_f64x2_mul(w, fq), bce);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 inside = wasm_v128_and(wasm_f64x2_ge(p[j], SPLAT(KERAS_EPS)), wasm_f64x2_le(p[j], SPLAT(KERAS_HIGH)));
      f64x2 dbce = wasm_v128_and(wasm_f64x2_div(wasm_f64x2_sub(pc[j], y), wasm_f64x2_mul(pc[j], wasm_f64x2_sub(SPLAT(1.0), pc[j]))), inside);
      f64x2 dq = gamma == 0 ? SPLAT(0.0)
                            : wasm_f64x2_mul(wasm_f64x2_mul(SPLAT(-gamma), wasm_v128_bitselect(dfocal0, dfocal[j], zero[j])), wasm_f64x2_sub(wasm_f64x2_add(y, y), SPLAT(1.0)));
      f64x2 dp = wasm_f64x2_mul(w, wasm_f64x2_add(wasm_f64x2_mul(dq, bce), wasm_f64x2_mul(fq, dbce)));
      if (logits) dp = wasm_f64x2_mul(dp, wasm_f64x2_mul(p[j], wasm_f64x2_sub(SPLAT(1.0), p[j])));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(dp, scale));
    }
  }
}

// keras.kl_divergence's terms (keras/klDivergence.ts derives it): ŷ = clip(t, ε, 1), p̂ =
// clip(x, ε, 1), ℓ = ŷ·log(ŷ/p̂) (the quotient first, as Keras writes it), dℓ/dx = −ŷ/p̂ where
// ε ≤ x ≤ 1 and 0 outside. (Keras sums these over the axis; row_means is told not to divide.)
static void keras_kl_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  f64x2 y[W], p[W], l[W];
  for (int j = 0; j < W; j++) {
    y[j] = wasm_f64x2_pmin(wasm_f64x2_pmax(wasm_v128_load(t + 2 * j), SPLAT(KERAS_EPS)), SPLAT(1.0));
    p[j] = wasm_f64x2_pmin(wasm_f64x2_pmax(wasm_v128_load(x + 2 * j), SPLAT(KERAS_EPS)), SPLAT(1.0));
    l[j] = wasm_f64x2_div(y[j], p[j]);
  }
  log_positive(l);
  for (int j = 0; j < W; j++) {
    f64x2 v = wasm_f64x2_mul(y[j], l[j]);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 xv = wasm_v128_load(x + 2 * j);
      f64x2 inside = wasm_v128_and(wasm_f64x2_ge(xv, SPLAT(KERAS_EPS)), wasm_f64x2_le(xv, SPLAT(1.0)));
      f64x2 g = wasm_f64x2_mul(wasm_f64x2_neg(wasm_f64x2_div(y[j], p[j])), scale);
      wasm_v128_store(grad + 2 * j, wasm_v128_and(g, inside));
    }
  }
}

// exponential (exponential.ts derives it): ℓ = e^(−s·x), dℓ/dx = −s·ℓ (+∞ past a margin of −709.78:
// answered 422 like the scalar kernel's overflow).
static void exponential_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  f64x2 v[W];
  for (int j = 0; j < W; j++) v[j] = wasm_f64x2_neg(wasm_f64x2_mul(wasm_v128_load(t + 2 * j), wasm_v128_load(x + 2 * j)));
  exp_any(v);
  for (int j = 0; j < W; j++) {
    sum[j] = wasm_f64x2_add(sum[j], v[j]);
    if (per) wasm_v128_store(per + 2 * j, v[j]);
    if (grad) wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(wasm_f64x2_neg(wasm_f64x2_mul(wasm_v128_load(t + 2 * j), v[j])), scale));
  }
}

/** x[j] ← e^x[j] − 1 for |x| ≤ ½, by its Taylor series to degree 17 (the first term left out,
 *  ½^18/18!, is 6e-22 of x's size): no 1 is added, so small x keep their digits. */
static inline void expm1_small(f64x2* x) {
  f64x2 p[W];
  for (int j = 0; j < W; j++) p[j] = SPLAT(1.0 / 355687428096000.0); // 1/17!
  static const double INV_FACT[16] = {1.0 / 20922789888000.0, 1.0 / 1307674368000.0, 1.0 / 87178291200.0, 1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                                      1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0};
  for (int c = 0; c < 16; c++)
    for (int j = 0; j < W; j++) p[j] = wasm_f64x2_add(wasm_f64x2_mul(p[j], x[j]), SPLAT(INV_FACT[c]));
  for (int j = 0; j < W; j++) x[j] = wasm_f64x2_mul(p[j], x[j]);
}

// log_cosh (math.logCosh derives the two forms): a = |d|, d = x − t;
//   a < 1: log cosh d = log1p(2·sinh²(a/2)), sinh h = (m + m/(m + 1))/2 with m = expm1(h);
//   a ≥ 1: a + log1p(e^−2a) − ln2 (no overflow).
// dℓ/dx = tanh d = sign(d)·(−m₂)/(2 + m₂), m₂ = expm1(−2a) (the series up to 2a = ½, e^−2a − 1 beyond,
// where nothing cancels).
static void log_cosh_block(const double* x, const double* t, double* per, double* grad, f64x2 scale, const double* unused, f64x2* sum) {
  (void)unused;
  f64x2 d[W], a[W], h[W], m2[W], e[W], arg[W];
  for (int j = 0; j < W; j++) {
    d[j] = wasm_f64x2_sub(wasm_v128_load(x + 2 * j), wasm_v128_load(t + 2 * j));
    a[j] = wasm_f64x2_abs(d[j]);
    h[j] = wasm_f64x2_pmin(wasm_f64x2_mul(SPLAT(0.5), a[j]), SPLAT(0.5));
    m2[j] = wasm_f64x2_neg(wasm_f64x2_pmin(wasm_f64x2_add(a[j], a[j]), SPLAT(0.5)));
    e[j] = wasm_f64x2_neg(wasm_f64x2_add(a[j], a[j]));
  }
  expm1_small(h);
  expm1_small(m2);
  exp_nonpositive(e);
  for (int j = 0; j < W; j++) {
    f64x2 sh = wasm_f64x2_mul(SPLAT(0.5), wasm_f64x2_add(h[j], wasm_f64x2_div(h[j], wasm_f64x2_add(h[j], SPLAT(1.0)))));
    f64x2 small = wasm_f64x2_lt(a[j], SPLAT(1.0));
    arg[j] = wasm_v128_bitselect(wasm_f64x2_mul(SPLAT(2.0), wasm_f64x2_mul(sh, sh)), e[j], small);
  }
  log1p_unit(arg);
  for (int j = 0; j < W; j++) {
    f64x2 small = wasm_f64x2_lt(a[j], SPLAT(1.0));
    f64x2 v = wasm_v128_bitselect(arg[j], wasm_f64x2_sub(wasm_f64x2_add(a[j], arg[j]), SPLAT(LN2_HI + LN2_LO)), small);
    sum[j] = wasm_f64x2_add(sum[j], v);
    if (per) wasm_v128_store(per + 2 * j, v);
    if (grad) {
      f64x2 m = wasm_v128_bitselect(m2[j], wasm_f64x2_sub(e[j], SPLAT(1.0)), wasm_f64x2_le(wasm_f64x2_add(a[j], a[j]), SPLAT(0.5)));
      f64x2 th = wasm_f64x2_div(wasm_f64x2_neg(m), wasm_f64x2_add(SPLAT(2.0), m));
      f64x2 signed_th = wasm_v128_bitselect(wasm_f64x2_neg(th), th, wasm_f64x2_lt(d[j], SPLAT(0.0)));
      wasm_v128_store(grad + 2 * j, wasm_f64x2_mul(signed_th, scale));
    }
  }
}

typedef void (*block_fn)(const double*, const double*, double*, double*, f64x2, const double*, f64x2*);

/** Runs an elementwise block function over [0, n): blocks of 16, the tail on zero-padded copies
 *  (padding p = ½, t = 0: inside every function's range). */
static double elementwise(block_fn block, const double* x, const double* t, int n, double* per, double* grad, double scale, const double* param) {
  f64x2 sum[W];
  for (int j = 0; j < W; j++) sum[j] = SPLAT(0.0);
  f64x2 sc = SPLAT(scale);
  int i = 0;
  for (; i + 2 * W <= n; i += 2 * W) block(x + i, t + i, per ? per + i : 0, grad ? grad + i : 0, sc, param, sum);
  double total = 0;
  for (int j = 0; j < W; j++) total += wasm_f64x2_extract_lane(sum[j], 0) + wasm_f64x2_extract_lane(sum[j], 1);
  if (i < n) {
    int m = n - i;
    f64x2 tail[W];
    for (int j = 0; j < W; j++) tail[j] = SPLAT(0.0);
    for (int k = 0; k < 2 * W; k++) {
      pad_x[k] = k < m ? x[i + k] : 0.5;
      pad_t[k] = k < m ? t[i + k] : 0;
    }
    block(pad_x, pad_t, pad_per, pad_grad, sc, param, tail);
    for (int k = 0; k < m; k++) {
      total += pad_per[k];
      if (per) per[i + k] = pad_per[k];
      if (grad) grad[i + k] = pad_grad[k];
    }
  }
  return total;
}

// The elementwise kernels: predictions x, targets t, elements [0, n), and up to three parameters
// (huber's δ, smooth_l1's β, sigmoid_focal's α and γ, poisson_nll's log_input, eps and full,
// kl_div's log_target).
#define ELEMENTWISE(name, block)                                                                                  \
  double EXPORT(name)(const double* x, const double* t, int n, double* per, double* grad, double scale, double p0, double p1, double p2) { \
    const double param[3] = {p0, p1, p2};                                                                    \
    return elementwise(block, x, t, n, per, grad, scale, param);                                            \
  }
ELEMENTWISE(bce_with_logits, bce_block)
ELEMENTWISE(logistic, logistic_block)
ELEMENTWISE(binary_cross_entropy, bce_prob_block)
ELEMENTWISE(mse, mse_block)
ELEMENTWISE(l1, l1_block)
ELEMENTWISE(huber, huber_block)
ELEMENTWISE(smooth_l1, smooth_l1_block)
ELEMENTWISE(sigmoid_focal, focal_block)
ELEMENTWISE(poisson_nll, poisson_block)
ELEMENTWISE(kl_div, kl_div_block)
ELEMENTWISE(msle, msle_block)
ELEMENTWISE(exponential, exponential_block)
ELEMENTWISE(log_cosh, log_cosh_block)
ELEMENTWISE(keras_binary_crossentropy, keras_bce_prob_block)
ELEMENTWISE(keras_binary_focal_crossentropy, keras_binary_focal_block)
ELEMENTWISE(keras_msle, keras_msle_block)
ELEMENTWISE(keras_kl_divergence, keras_kl_block)

// The rows of an elementwise kernel's values (simd.ts: rowMeansSimd): for rows [0, rows) of D
// values in per, v_r = (Σ_k per[r·D + k])/D (mean ≠ 0) or the sum itself, the k added in order as
// the scalar loops add them; out[r] = v_r, and with weights w the gradient row times
// (scale·w_r)/D (or scale·w_r; without weights, the kernel scaled it already). A row of weight 0
// gives 0 and a zero gradient row. Returns Σ_r w_r·v_r, added in row order.
double EXPORT(row_means)(const double* per, double* grad, int rows, int D, int mean, const double* w, double scale, double* out) {
  double sum = 0;
  for (int r = 0; r < rows; r++) {
    const double wr = w ? w[r] : 1.0;
    double* g = grad ? grad + r * D : 0;
    if (wr == 0) {
      zero_row(out + r, g, D);
      continue;
    }
    double acc = 0;
    for (int k = 0; k < D; k++) acc += per[r * D + k];
    const double v = mean ? acc / D : acc;
    out[r] = v;
    sum += w ? wr * v : v;
    if (g && w) {
      const double f = mean ? (scale * wr) / D : scale * wr;
      for (int k = 0; k < D; k++) g[k] *= f;
    }
  }
  return sum;
}

// a[0..n) narrowed to float32 in out (rounded to nearest even, as Float32Array stores round), two
// at a time: V8's Float32Array.set from a Float64Array took 0.83 ns an element here, a copy of the
// narrowed bytes 0.1.
void EXPORT(demote)(const double* a, float* out, int n) {
  int i = 0;
  for (; i + 2 <= n; i += 2) wasm_v128_store64_lane(out + i, wasm_f32x4_demote_f64x2_zero(wasm_v128_load(a + i)), 0);
  if (i < n) wasm_v128_store32_lane(out + i, wasm_f32x4_demote_f64x2_zero(wasm_v128_load64_zero(a + i)), 0);
}

// The first i in [0, n) where !(|a[i]| < bound), or −1: with bound = +∞ the first element that is
// not finite; with bound = 2^128 − 2^103 the first that float32 cannot hold (the midpoint between
// FLT_MAX and 2^128 rounds to infinity). The kernels' gradients are checked here while they are
// still in the module's memory, instead of in a second pass over the output.
int EXPORT(first_beyond)(const double* a, int n, double bound) {
  const f64x2 b = SPLAT(bound);
  int i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    v128_t bad = wasm_i64x2_splat(0);
    for (int j = 0; j < W; j++) bad = wasm_v128_or(bad, wasm_v128_not(wasm_f64x2_lt(wasm_f64x2_abs(wasm_v128_load(a + i + 2 * j)), b)));
    if (wasm_v128_any_true(bad)) break;
  }
  for (; i < n; i++)
    if (!(__builtin_fabs(a[i]) < bound)) return i;
  return -1;
}

// For the accuracy tests: e^x (x ≤ 709.78), log1p(u) (−½ ≤ u ≤ 1) and log(v) (v > 0), elementwise.
static void map_copy(void (*f)(f64x2*), const double* x, double* out, int n, double pad) {
  for (int i = 0; i < n; i++) out[i] = x[i];
  map_inplace(f, out, n, pad);
}
void EXPORT(exp_array)(const double* x, double* out, int n) { map_copy(exp_nonpositive, x, out, n, 0); }
void EXPORT(log1p_array)(const double* x, double* out, int n) { map_copy(log1p_unit, x, out, n, 0); }
void EXPORT(log_array)(const double* x, double* out, int n) { map_copy(log_positive, x, out, n, 1); }

// Linear memory past the stack, where simd.ts puts the arrays of a call.
extern unsigned char __heap_base;
unsigned char* EXPORT(heap_base)(void) { return &__heap_base; }
