// Float64s printed as ECMAScript prints them (Number::toString, what JSON.stringify writes): the
// shortest decimal that reads back as the same double, the closest to it of those when several
// are as short, in the same layout (plain from 1e-7 up to 1e21, exponent form outside). Built
// into numberText.wasm by scripts/build-wasm.sh; numberText.ts loads it.
//
// Why not V8's own: printing is most of a JSON answer's cost. V8's shortest-digits search (Grisu3
// with a bignum fallback) took 88 ns per random float64 in JSON.stringify on this machine, the
// 352 numbers of a small answer ~31 µs of its ~180; the method below (Ulf Adams' Ryū, PLDI 2018:
// the interval of decimals that read back as the double, scaled by a 128-bit power of five, then
// digits removed while the interval still holds a shorter one) needs no bignum in any case.
//
// The powers of five (125-bit, two 64-bit words each) are written into pow5_split and
// pow5_inv_split by numberText.ts at load from exact BigInt arithmetic:
//   pow5_split[i]     = 5^i scaled to exactly 125 bits (5^i >> (bitlength(5^i) − 125)),
//   pow5_inv_split[i] = floor(2^(bitlength(5^i) − 1 + 125) / 5^i) + 1.
// WebAssembly has no 64×64 → 128-bit multiply; it is built from four 32×32 → 64 ones. Divisions
// by 10 and 100 are written as divisions: V8 compiles a 64-bit divide by a constant into a
// multiply by its reciprocal (div10 below).

typedef unsigned long long u64;
typedef unsigned int u32;
typedef int i32;

#define EXPORT(name) __attribute__((export_name(#name))) name

#define MANTISSA_BITS 52
#define BIAS 1023
#define POW5_INV_BITCOUNT 125
#define POW5_BITCOUNT 125
#define POW5_INV_TABLE_SIZE 342
#define POW5_TABLE_SIZE 326

static u64 pow5_inv_split[POW5_INV_TABLE_SIZE][2]; // [low word, high word]
static u64 pow5_split[POW5_TABLE_SIZE][2];

u64 *EXPORT(pow5_inv_table)(void) { return &pow5_inv_split[0][0]; }
u64 *EXPORT(pow5_table)(void) { return &pow5_split[0][0]; }
unsigned char *EXPORT(heap_base)(void) {
  extern unsigned char __heap_base;
  return &__heap_base;
}

// The high 64 bits of a·b, from four 32×32 → 64 products (none of the sums overflows).
static inline u64 umulh(u64 a, u64 b) {
  u64 aLo = (u32)a, aHi = a >> 32, bLo = (u32)b, bHi = b >> 32;
  u64 b00 = aLo * bLo, b01 = aLo * bHi, b10 = aHi * bLo, b11 = aHi * bHi;
  u64 mid1 = b10 + (b00 >> 32);
  u64 mid2 = b01 + (u32)mid1;
  return b11 + (mid1 >> 32) + (mid2 >> 32);
}

// V8 turns a 64-bit division by a constant into a multiply (measured: 78 ns a number with `/ 10`,
// 92 with the reciprocal multiply spelled out in 32-bit pieces).
static inline u64 div10(u64 x) { return x / 10; }
static inline u64 div100(u64 x) { return x / 100; }

// ⌊log2 5^e⌋ + 1 for 0 ≤ e ≤ 3528; ⌊log10 2^e⌋ for 0 ≤ e ≤ 1650; ⌊log10 5^e⌋ for 0 ≤ e ≤ 2620.
static inline i32 pow5bits(i32 e) { return (i32)(((u32)e * 1217359) >> 19) + 1; }
static inline u32 log10Pow2(i32 e) { return ((u32)e * 78913) >> 18; }
static inline u32 log10Pow5(i32 e) { return ((u32)e * 732923) >> 20; }

static inline u32 pow5Factor(u64 value) {
  u32 count = 0;
  for (;;) {
    u64 q = value / 5; // rare: numbers of 2^54 and more only
    if (value != 5 * q) return count;
    value = q;
    ++count;
  }
}
static inline int multipleOfPowerOf5(u64 value, u32 p) { return pow5Factor(value) >= p; }
static inline int multipleOfPowerOf2(u64 value, u32 p) { return (value & ((1ull << p) - 1)) == 0; }

// (hi·2^64 + lo) >> dist, 0 ≤ dist < 64.
static inline u64 shiftRight128(u64 lo, u64 hi, u32 dist) { return dist == 0 ? lo : (hi << (64 - dist)) | (lo >> dist); }

// vr, vp, vm = (4·m2, 4·m2 + 2, 4·m2 − 1 − mmShift) · mul >> j, mul a 128-bit number, from one
// 192-bit product P = 2·m2 · mul (two 64×128 multiplies instead of six):
//   4·m2·mul = 2P,  (4·m2 + 2)·mul = 2(P + mul),  (4·m2 − 2)·mul = 2(P − mul),  (4·m2 − 1)·mul = 2P − mul.
static inline u64 mulShiftAll64(u64 m2, const u64 *mul, i32 j, u64 *vp, u64 *vm, u32 mmShift) {
  const u64 m = m2 << 1;
  const u64 lo = m * mul[0];
  const u64 tmp = umulh(m, mul[0]);
  u64 hi = umulh(m, mul[1]);
  const u64 mid = tmp + m * mul[1];
  hi += mid < tmp;
  const u32 d1 = (u32)(j - 64 - 1);

  const u64 lo2 = lo + mul[0];
  const u64 mid2 = mid + mul[1] + (lo2 < lo);
  const u64 hi2 = hi + (mid2 < mid);
  *vp = shiftRight128(mid2, hi2, d1);

  if (mmShift == 1) {
    const u64 lo3 = lo - mul[0];
    const u64 mid3 = mid - mul[1] - (lo3 > lo);
    const u64 hi3 = hi - (mid3 > mid);
    *vm = shiftRight128(mid3, hi3, d1);
  } else {
    const u64 lo3 = lo + lo;
    const u64 mid3 = mid + mid + (lo3 < lo);
    const u64 hi3 = hi + hi + (mid3 < mid);
    const u64 lo4 = lo3 - mul[0];
    const u64 mid4 = mid3 - mul[1] - (lo4 > lo3);
    const u64 hi4 = hi3 - (mid4 > mid3);
    *vm = shiftRight128(mid4, hi4, (u32)(j - 64));
  }
  return shiftRight128(mid, hi, d1);
}

// Drops the last digit of vr, vp and vm; vr's is kept in *last, and *vrIsTrailingZeros stays
// true while every digit dropped before it was 0 (for rounding half to even).
static inline void removeDigit(u64 *vr, u64 *vp, u64 *vm, u32 *last, int *vrIsTrailingZeros) {
  const u64 vrDiv10 = div10(*vr);
  *vrIsTrailingZeros &= *last == 0;
  *last = (u32)(*vr - 10 * vrDiv10);
  *vr = vrDiv10;
  *vp = div10(*vp);
  *vm = div10(*vm);
}

// The shortest digits of a finite positive double: `digits` · 10^`exponent`.
typedef struct {
  u64 digits;
  i32 exponent;
} Decimal;

static Decimal shortest(u64 ieeeMantissa, u32 ieeeExponent) {
  // The double is m2 · 2^e2, with two more bits for the interval's bounds (hence the − 2).
  i32 e2;
  u64 m2;
  if (ieeeExponent == 0) {
    e2 = 1 - BIAS - MANTISSA_BITS - 2;
    m2 = ieeeMantissa;
  } else {
    e2 = (i32)ieeeExponent - BIAS - MANTISSA_BITS - 2;
    m2 = (1ull << MANTISSA_BITS) | ieeeMantissa;
  }
  // Reading back rounds half to even: the bounds themselves read back as this double when its
  // mantissa is even.
  const int acceptBounds = (m2 & 1) == 0;
  // The interval [mm, mp] around mv = 4·m2, in units of 2^e2: its lower half is narrower at a
  // power of two (mmShift 0), where the next double down is closer.
  const u64 mv = 4 * m2;
  const u32 mmShift = ieeeMantissa != 0 || ieeeExponent <= 1;

  // The three bounds in a decimal base: vr, vp, vm = mv, mp, mm · 2^e2 / 10^e10, truncated.
  u64 vr, vp, vm;
  i32 e10;
  int vmIsTrailingZeros = 0, vrIsTrailingZeros = 0;
  if (e2 >= 0) {
    const u32 q = log10Pow2(e2) - (e2 > 3);
    e10 = (i32)q;
    const i32 k = POW5_INV_BITCOUNT + pow5bits((i32)q) - 1;
    const i32 i = -e2 + (i32)q + k;
    vr = mulShiftAll64(m2, pow5_inv_split[q], i, &vp, &vm, mmShift);
    if (q <= 21) {
      // Whether the truncation dropped only zeros: at most one of mp, mv, mm is a multiple of 5.
      if (mv % 5 == 0) vrIsTrailingZeros = multipleOfPowerOf5(mv, q);
      else if (acceptBounds) vmIsTrailingZeros = multipleOfPowerOf5(mv - 1 - mmShift, q);
      else vp -= multipleOfPowerOf5(mv + 2, q);
    }
  } else {
    const u32 q = log10Pow5(-e2) - (-e2 > 1);
    e10 = (i32)q + e2;
    const i32 i = -e2 - (i32)q;
    const i32 k = pow5bits(i) - POW5_BITCOUNT;
    const i32 j = (i32)q - k;
    vr = mulShiftAll64(m2, pow5_split[i], j, &vp, &vm, mmShift);
    if (q <= 1) {
      // mv has at least two trailing zero bits; mp = mv + 2 one; mm one iff mmShift.
      vrIsTrailingZeros = 1;
      if (acceptBounds) vmIsTrailingZeros = mmShift == 1;
      else --vp;
    } else if (q < 63) {
      vrIsTrailingZeros = multipleOfPowerOf2(mv, q);
    }
  }

  // Digits are removed while the interval still holds a number with fewer; the last removed
  // digit rounds vr (half to even when all below it were zeros).
  i32 removed = 0;
  u32 lastRemovedDigit = 0;
  u64 output;
  if (vmIsTrailingZeros || vrIsTrailingZeros) {
    // First while the interval holds a shorter number, then, when vm's removed digits were all
    // zeros, while its next one is too (a bound that is read back can lose them).
    while (div10(vp) > div10(vm)) {
      vmIsTrailingZeros &= vm - 10 * div10(vm) == 0;
      removeDigit(&vr, &vp, &vm, &lastRemovedDigit, &vrIsTrailingZeros);
      ++removed;
    }
    if (vmIsTrailingZeros) {
      while (vm - 10 * div10(vm) == 0) {
        removeDigit(&vr, &vp, &vm, &lastRemovedDigit, &vrIsTrailingZeros);
        ++removed;
      }
    }
    if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0) lastRemovedDigit = 4;
    output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5);
  } else {
    int roundUp = 0;
    // Two digits at once first: most numbers have one or two to lose.
    const u64 vpDiv100 = div100(vp), vmDiv100 = div100(vm);
    if (vpDiv100 > vmDiv100) {
      const u64 vrDiv100 = div100(vr);
      roundUp = vr - 100 * vrDiv100 >= 50;
      vr = vrDiv100;
      vp = vpDiv100;
      vm = vmDiv100;
      removed += 2;
    }
    for (;;) {
      const u64 vpDiv10 = div10(vp), vmDiv10 = div10(vm);
      if (vpDiv10 <= vmDiv10) break;
      const u64 vrDiv10 = div10(vr);
      roundUp = vr - 10 * vrDiv10 >= 5;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      ++removed;
    }
    output = vr + (vr == vm || roundUp);
  }
  Decimal d = {output, e10 + removed};
  return d;
}

// The number of decimal digits of v < 10^17.
static inline u32 decimalLength(u64 v) {
  if (v >= 10000000000000000ull) return 17;
  if (v >= 1000000000000000ull) return 16;
  if (v >= 100000000000000ull) return 15;
  if (v >= 10000000000000ull) return 14;
  if (v >= 1000000000000ull) return 13;
  if (v >= 100000000000ull) return 12;
  if (v >= 10000000000ull) return 11;
  if (v >= 1000000000ull) return 10;
  if (v >= 100000000ull) return 9;
  if (v >= 10000000ull) return 8;
  if (v >= 1000000ull) return 7;
  if (v >= 100000ull) return 6;
  if (v >= 10000ull) return 5;
  if (v >= 1000ull) return 4;
  if (v >= 100ull) return 3;
  if (v >= 10ull) return 2;
  return 1;
}

static const char DIGIT_PAIRS[200] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the k digits of v (v < 10^17) right to left ending before `end`: the low eight in 32-bit
// arithmetic two at a time, then the rest.
static inline void writeDigits(unsigned char *end, u64 v, u32 k) {
  if (v >> 32) {
    const u64 q = v / 100000000;
    u32 low = (u32)(v - 100000000 * q);
    for (int p = 0; p < 4; p++) {
      const u32 pair = low % 100;
      low /= 100;
      *--end = (unsigned char)DIGIT_PAIRS[2 * pair + 1];
      *--end = (unsigned char)DIGIT_PAIRS[2 * pair];
    }
    v = q;
    k -= 8;
  }
  u32 w = (u32)v;
  while (k >= 2) {
    const u32 pair = w % 100;
    w /= 100;
    *--end = (unsigned char)DIGIT_PAIRS[2 * pair + 1];
    *--end = (unsigned char)DIGIT_PAIRS[2 * pair];
    k -= 2;
  }
  if (k == 1) *--end = (unsigned char)('0' + w);
}

// One double as Number::toString writes it; returns the byte after it.
static unsigned char *printDouble(double x, unsigned char *out) {
  u64 bits = __builtin_bit_cast(u64, x);
  const u32 ieeeExponent = (u32)(bits >> MANTISSA_BITS) & 0x7ff;
  const u64 ieeeMantissa = bits & ((1ull << MANTISSA_BITS) - 1);
  if (ieeeExponent == 0x7ff) {
    // JSON has no NaN or infinity: JSON.stringify writes null (the answers check before).
    out[0] = 'n', out[1] = 'u', out[2] = 'l', out[3] = 'l';
    return out + 4;
  }
  if (ieeeExponent == 0 && ieeeMantissa == 0) {
    *out = '0'; // −0 too
    return out + 1;
  }
  if (bits >> 63) *out++ = '-';
  const Decimal d = shortest(ieeeMantissa, ieeeExponent);
  const i32 k = (i32)decimalLength(d.digits);
  const i32 n = d.exponent + k; // the value is 0.d1d2…dk · 10^n
  if (k <= n && n <= 21) {
    writeDigits(out + k, d.digits, (u32)k);
    out += k;
    for (i32 z = 0; z < n - k; z++) *out++ = '0';
    return out;
  }
  if (0 < n && n <= 21) {
    writeDigits(out + k + 1, d.digits, (u32)k);
    for (i32 c = 0; c < n; c++) out[c] = out[c + 1];
    out[n] = '.';
    return out + k + 1;
  }
  if (-6 < n && n <= 0) {
    *out++ = '0';
    *out++ = '.';
    for (i32 z = 0; z < -n; z++) *out++ = '0';
    writeDigits(out + k, d.digits, (u32)k);
    return out + k;
  }
  // d1[.d2…dk]e±(n − 1)
  writeDigits(out + k + 1, d.digits, (u32)k);
  out[0] = out[1];
  if (k > 1) {
    out[1] = '.';
    out += k + 1;
  } else {
    out += 1;
  }
  *out++ = 'e';
  i32 e = n - 1;
  *out++ = e < 0 ? '-' : '+';
  if (e < 0) e = -e;
  const u32 digits = e >= 100 ? 3 : e >= 10 ? 2 : 1;
  writeDigits(out + digits, (u64)e, digits);
  return out + digits;
}

// Prints `rows` rows of `cols` doubles from `in` into `out`: each row in brackets when `brackets`,
// the numbers of a row and the rows separated by commas. Returns the number of bytes written
// (at most rows·(cols·25 + 2)).
u32 EXPORT(print_rows)(const double *in, u32 rows, u32 cols, u32 brackets, unsigned char *out) {
  unsigned char *start = out;
  for (u32 r = 0; r < rows; r++) {
    if (r > 0) *out++ = ',';
    if (brackets) *out++ = '[';
    for (u32 c = 0; c < cols; c++) {
      if (c > 0) *out++ = ',';
      out = printDouble(in[r * cols + c], out);
    }
    if (brackets) *out++ = ']';
  }
  return (u32)(out - start);
}
