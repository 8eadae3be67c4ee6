/**
 * The transcendental functions the runtime computes with, identical on every JavaScript engine.
 *
 * `Math.exp`, `Math.sin`, ... are not specified to the bit, and engines disagree: Node 20's V8 (fdlibm) and
 * current Chromium's (LLVM libc, correctly rounded) give different last bits for 1–10% of arguments
 * (scripts/math-determinism.ts measures it), so a float32 training of hundreds of steps printed other
 * numbers in the browser than in Node. These are fdlibm's algorithms and coefficients (Sun Microsystems,
 * 1993, freely redistributable; as V8 used them through Node 20), written over + − × ÷ and √ (all
 * correctly rounded by IEEE 754, so exact to the bit everywhere) and reads and writes of a double's two
 * 32-bit words. They match Node 20's `Math.*` to the bit except for rare arguments (within 1 ulp: the
 * accuracy test measures both). sqrt, abs, floor, min, max, hypot stay `Math.*`: IEEE 754 or the language
 * fixes their results.
 *
 * Only huge arguments of sin/cos/tan (|x| ≥ 2^19·π/2) reduce differently from fdlibm: by 2/π to 1400 bits
 * computed here with BigInt (exact integer arithmetic) instead of fdlibm's table and float loop.
 */

// ---- a double's words: hi is the sign, the exponent and the top 20 bits of the mantissa; lo the other 32
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const I32 = new Int32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

function hiWord(x: number): number {
  F64[0] = x;
  return I32[HI];
}
function loWord(x: number): number {
  F64[0] = x;
  return U32[LO];
}
function fromWords(hi: number, lo: number): number {
  I32[HI] = hi;
  U32[LO] = lo >>> 0;
  return F64[0];
}
function withHi(x: number, hi: number): number {
  F64[0] = x;
  I32[HI] = hi;
  return F64[0];
}
function withLo(x: number, lo: number): number {
  F64[0] = x;
  U32[LO] = lo >>> 0;
  return F64[0];
}

/**
 * 2^k for k in [-1022, 1023]: POW2[k + 1022]. Reading a double's words through typed arrays costs V8 more
 * than the rest of exp (measured: ~3× the time), so the common paths below compare with doubles made once
 * here (`bound`) and scale by this table; only rare paths read words.
 */
const POW2 = new Float64Array(2046);
for (let k = -1022; k <= 1023; k++) POW2[k + 1022] = fromWords((k + 0x3ff) << 20, 0);
/** The smallest double whose high word (sign cleared) is `hi`: |x| < bound(h) ⇔ (high word of |x|) < h. */
const bound = (hi: number) => fromWords(hi, 0);

/** x · 2^n, exactly (one rounding where the result is subnormal), as fdlibm's scalbn. */
function scalbn(x: number, n: number): number {
  if (n > 1023) return x * fromWords(0x7fe00000, 0) * fromWords((n - 1023 + 0x3ff) << 20, 0);
  if (n < -1022) return x * fromWords((n + 54 + 0x3ff) << 20, 0) * fromWords((0x3ff - 54) << 20, 0);
  return x * fromWords((n + 0x3ff) << 20, 0);
}

const HUGE = 1e300;
const TINY = 1e-300;
const LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.442695040888963387; // 0x3FF71547 652B82FE
const TWO54 = 1.8014398509481984e16;

// ---- exp
const P1 = 1.66666666666666019037e-1,
  P2 = -2.77777777770155933842e-3,
  P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6,
  P5 = 4.13813679705723846039e-8;
const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.4513321910194110842e2;
const TWO_M1000 = 9.3326361850321887899e-302;
const TWO_1023 = 8.988465674311579539e307;

const EXP_BIG = bound(0x40862e42); // |x| ≥ 709.78...: overflow, underflow or not finite
const HALF_LN2 = bound(0x3fd62e43); // |x| > 0.5·ln 2 (fdlibm: hx > 0x3fd62e42)
const THREE_HALF_LN2 = bound(0x3ff0a2b2); // |x| < 1.5·ln 2
const TWO_M28 = bound(0x3e300000);

export function exp(x: number): number {
  const ax = Math.abs(x);
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (!(ax < EXP_BIG)) {
    if (x !== x) return x + x;
    if (ax === Infinity) return x > 0 ? x : 0;
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  if (ax >= HALF_LN2) {
    if (ax < THREE_HALF_LN2) {
      // V8 returns e itself for exp(1) (the reduction below gets its last bit wrong)
      if (x === 1) return 2.718281828459045;
      hi = x > 0 ? x - LN2_HI : x + LN2_HI;
      lo = x > 0 ? LN2_LO : -LN2_LO;
      k = x > 0 ? 1 : -1;
    } else {
      k = Math.trunc(INV_LN2 * x + (x > 0 ? 0.5 : -0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < TWO_M28) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2 * TWO_1023;
    return y * POW2[k + 1022];
  }
  return y * POW2[k + 1000 + 1022] * TWO_M1000;
}

// ---- expm1
const Q1 = -3.33333333333331316428e-2,
  Q2 = 1.58730158725481460165e-3,
  Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6,
  Q5 = -2.01099218183624371326e-7;

const EXPM1_BIG = bound(0x4043687a); // |x| ≥ 56·ln 2
const TWO_M54 = bound(0x3c900000);

export function expm1(x: number): number {
  const ax = Math.abs(x);
  let k = 0;
  let c = 0;
  if (!(ax < EXPM1_BIG)) {
    if (x !== x) return x + x;
    if (!(ax < EXP_BIG)) {
      if (ax === Infinity) return x > 0 ? x : -1;
      if (x > O_THRESHOLD) return Infinity;
    }
    if (x < 0) return TINY - 1;
  }
  if (ax >= HALF_LN2) {
    let hi: number;
    let lo: number;
    if (ax < THREE_HALF_LN2) {
      if (x > 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = Math.trunc(INV_LN2 * x + (x > 0 ? 0.5 : -0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (ax < TWO_M54) {
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  let t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e);
  let y: number;
  if (k <= -2 || k > 56) {
    y = 1 - (e - x);
    y = k === 1024 ? y * 2 * 8.98846567431158e307 : y * POW2[k + 1022];
    return y - 1;
  }
  if (k < 20) {
    t = 1 - POW2[-k + 1022]; // 1 − 2^-k, exact
    y = t - (e - x);
    return y * POW2[k + 1022];
  }
  t = POW2[-k + 1022];
  y = x - (e + t);
  y += 1;
  return y * POW2[k + 1022];
}

// ---- log, log1p
const LG1 = 6.66666666666673513e-1,
  LG2 = 3.999999999940941908e-1,
  LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1,
  LG5 = 1.818357216161805012e-1,
  LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

export function log(x: number): number {
  let hx = hiWord(x);
  const lx = loWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = hiWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = withHi(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : dk * LN2_HI - (R - dk * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  let ii = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  ii |= j;
  const R = t2 + t1;
  if (ii > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - (hfsq - (s * (hfsq + R) + dk * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * LN2_HI - (s * (f - R) - dk * LN2_LO - f);
}

export function log1p(x: number): number {
  const hx = hiWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let hu = 0;
  let c = 0;
  if (hx < 0x3fda827a) {
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN;
    if (ax < 0x3e200000) {
      if (TWO54 + x > 0 && ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec3 | 0)) {
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = hiWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1 - (u - x) : x - (u - 1);
      c /= u;
    } else {
      u = x;
      hu = hiWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHi(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = withHi(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    if (f === 0) {
      if (k === 0) return 0;
      c += k * LN2_LO;
      return k * LN2_HI + c;
    }
    const R = hfsq * (1 - 0.66666666666666666 * f);
    return k === 0 ? f - R : k * LN2_HI - (R - (k * LN2_LO + c) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const R = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - (hfsq - (s * (hfsq + R) + (k * LN2_LO + c)) - f);
}

// ---- hyperbolic functions
export function sinh(x: number): number {
  const h = x < 0 ? -0.5 : 0.5;
  const ax = Math.abs(x);
  if (ax < 22) {
    if (ax < 3.725290298461914e-9) return x;
    const t = expm1(ax);
    if (ax < 1) return h * (2 * t - (t * t) / (t + 1));
    return h * (t + t / (t + 1));
  }
  if (ax < 709.7822265625) return h * exp(ax);
  if (ax <= 710.4758600739439) {
    const w = exp(0.5 * ax);
    const t = h * w;
    return t * w;
  }
  return x * 1e307;
}

export function cosh(x: number): number {
  const ix = hiWord(x) & 0x7fffffff;
  if (ix < 0x3fd62e43) {
    const t = expm1(Math.abs(x));
    const w = 1 + t;
    if (ix < 0x3c800000) return w;
    return 1 + (t * t) / (w + w);
  }
  if (ix < 0x40360000) {
    const t = exp(Math.abs(x));
    return 0.5 * t + 0.5 / t;
  }
  if (ix < 0x40862e42) return 0.5 * exp(Math.abs(x));
  if (Math.abs(x) <= 710.4758600739439) {
    const w = exp(0.5 * Math.abs(x));
    const t = 0.5 * w;
    return t * w;
  }
  if (ix >= 0x7ff00000) return x * x;
  return Infinity;
}

export function tanh(x: number): number {
  const jx = hiWord(x);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1 / x + 1 : 1 / x - 1;
  let z: number;
  if (ix < 0x40360000) {
    if (ix < 0x3c800000) return x * (1 + x);
    if (ix >= 0x3ff00000) {
      const t = expm1(2 * Math.abs(x));
      z = 1 - 2 / (t + 2);
    } else {
      const t = expm1(-2 * Math.abs(x));
      z = -t / (t + 2);
    }
  } else {
    z = 1 - TINY;
  }
  return jx >= 0 ? z : -z;
}

export function asinh(x: number): number {
  const hx = hiWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) return x + x;
  if (ix < 0x3e300000) return x;
  let w: number;
  if (ix > 0x41b00000) {
    w = log(Math.abs(x)) + 6.93147180559945286227e-1;
  } else if (ix > 0x40000000) {
    const t = Math.abs(x);
    w = log(2 * t + 1 / (Math.sqrt(x * x + 1) + t));
  } else {
    const t = x * x;
    w = log1p(Math.abs(x) + t / (1 + Math.sqrt(1 + t)));
  }
  return hx > 0 ? w : -w;
}

export function acosh(x: number): number {
  const hx = hiWord(x);
  const lx = loWord(x);
  if (hx < 0x3ff00000) return NaN;
  if (hx >= 0x41b00000) return hx >= 0x7ff00000 ? x + x : log(x) + 6.93147180559945286227e-1;
  if (((hx - 0x3ff00000) | lx) === 0) return 0;
  if (hx > 0x40000000) {
    const t = x * x;
    return log(2 * x - 1 / (x + Math.sqrt(t - 1)));
  }
  const t = x - 1;
  return log1p(t + Math.sqrt(2 * t + t * t));
}

export function atanh(x: number): number {
  const hx = hiWord(x);
  const lx = loWord(x);
  const ix = hx & 0x7fffffff;
  if ((ix | ((lx | -lx) >>> 31)) > 0x3ff00000) return NaN;
  if (ix === 0x3ff00000) return x > 0 ? Infinity : -Infinity;
  if (ix < 0x3e300000) return x;
  x = withHi(x, ix);
  const t = ix < 0x3fe00000 ? 0.5 * log1p(x + x + ((x + x) * x) / (1 - x)) : 0.5 * log1p((x + x) / (1 - x));
  return hx >= 0 ? t : -t;
}

// ---- inverse trigonometric functions
const PIO2_HI = 1.570796326794896558; // 0x3FF921FB 54442D18
const PIO2_LO = 6.12323399573676603587e-17; // 0x3C91A626 33145C07
const PIO4_HI = 7.85398163397448278999e-1;
const PI = 3.141592653589793116;
const PS0 = 1.66666666666666657415e-1,
  PS1 = -3.25565818622400915405e-1,
  PS2 = 2.01212532134862925881e-1;
const PS3 = -4.00555345006794114027e-2,
  PS4 = 7.91534994289814532176e-4,
  PS5 = 3.4793310759602116757e-5;
const QS1 = -2.40339491173441421878,
  QS2 = 2.02094576023350569471,
  QS3 = -6.8828397160545329303e-1;
const QS4 = 7.70381505559019352791e-2;
const asinP = (z: number) => z * (PS0 + z * (PS1 + z * (PS2 + z * (PS3 + z * (PS4 + z * PS5)))));
const asinQ = (z: number) => 1 + z * (QS1 + z * (QS2 + z * (QS3 + z * QS4)));

export function asin(x: number): number {
  const hx = hiWord(x);
  const ix = hx & 0x7fffffff;
  let t = 0;
  if (ix >= 0x3ff00000) {
    if (((ix - 0x3ff00000) | loWord(x)) === 0) return x * PIO2_HI + x * PIO2_LO;
    return NaN;
  }
  if (ix < 0x3fe00000) {
    if (ix < 0x3e400000) return x;
    t = x * x;
    return x + x * (asinP(t) / asinQ(t));
  }
  let w = 1 - Math.abs(x);
  t = w * 0.5;
  let p = asinP(t);
  let q = asinQ(t);
  const s = Math.sqrt(t);
  if (ix >= 0x3fef3333) {
    w = p / q;
    t = PIO2_HI - (2 * (s + s * w) - PIO2_LO);
  } else {
    w = withLo(s, 0);
    const c = (t - w * w) / (s + w);
    const r = p / q;
    p = 2 * s * r - (PIO2_LO - 2 * c);
    q = PIO4_HI - 2 * w;
    t = PIO4_HI - (p - q);
  }
  return hx > 0 ? t : -t;
}

export function acos(x: number): number {
  const hx = hiWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x3ff00000) {
    if (((ix - 0x3ff00000) | loWord(x)) === 0) return hx > 0 ? 0 : PI + 2 * PIO2_LO;
    return NaN;
  }
  if (ix < 0x3fe00000) {
    if (ix <= 0x3c600000) return PIO2_HI + PIO2_LO;
    const z = x * x;
    const r = asinP(z) / asinQ(z);
    return PIO2_HI - (x - (PIO2_LO - x * r));
  }
  if (hx < 0) {
    const z = (1 + x) * 0.5;
    const s = Math.sqrt(z);
    const r = asinP(z) / asinQ(z);
    const w = r * s - PIO2_LO;
    return PI - 2 * (s + w);
  }
  const z = (1 - x) * 0.5;
  const s = Math.sqrt(z);
  const df = withLo(s, 0);
  const c = (z - df * df) / (s + df);
  const r = asinP(z) / asinQ(z);
  const w = r * s + c;
  return 2 * (df + w);
}

const ATAN_HI = [4.63647609000806093515e-1, 7.85398163397448278999e-1, 9.82793723247329054082e-1, 1.570796326794896558];
const ATAN_LO = [
  2.26987774529616870924e-17, 3.06161699786838301793e-17, 1.39033110312309984516e-17, 6.12323399573676603587e-17,
];
const AT0 = 3.33333333333329318027e-1,
  AT1 = -1.99999999998764832476e-1,
  AT2 = 1.42857142725034663711e-1;
const AT3 = -1.1111110405462355788e-1,
  AT4 = 9.09088713343650656196e-2,
  AT5 = -7.69187620504482999495e-2;
const AT6 = 6.66107313738753120669e-2,
  AT7 = -5.83357013379057348645e-2,
  AT8 = 4.97687799461593236017e-2;
const AT9 = -3.6531572744216915527e-2,
  AT10 = 1.62858201153657823623e-2;

export function atan(x: number): number {
  const hx = hiWord(x);
  const ix = hx & 0x7fffffff;
  let id: number;
  if (ix >= 0x44100000) {
    if (ix > 0x7ff00000 || (ix === 0x7ff00000 && loWord(x) !== 0)) return x + x;
    return hx > 0 ? ATAN_HI[3] + ATAN_LO[3] : -ATAN_HI[3] - ATAN_LO[3];
  }
  if (ix < 0x3fdc0000) {
    if (ix < 0x3e400000) return x;
    id = -1;
  } else {
    x = Math.abs(x);
    if (ix < 0x3ff30000) {
      if (ix < 0x3fe60000) {
        id = 0;
        x = (2 * x - 1) / (2 + x);
      } else {
        id = 1;
        x = (x - 1) / (x + 1);
      }
    } else if (ix < 0x40038000) {
      id = 2;
      x = (x - 1.5) / (1 + 1.5 * x);
    } else {
      id = 3;
      x = -1 / x;
    }
  }
  const z = x * x;
  const w = z * z;
  const s1 = z * (AT0 + w * (AT2 + w * (AT4 + w * (AT6 + w * (AT8 + w * AT10)))));
  const s2 = w * (AT1 + w * (AT3 + w * (AT5 + w * (AT7 + w * AT9))));
  if (id < 0) return x - x * (s1 + s2);
  const r = ATAN_HI[id] - (x * (s1 + s2) - ATAN_LO[id] - x);
  return hx < 0 ? -r : r;
}

const PI_O_4 = 7.85398163397448279e-1;
const PI_LO = 1.2246467991473531772e-16;

export function atan2(y: number, x: number): number {
  const hx = hiWord(x);
  const lx = loWord(x);
  const ix = hx & 0x7fffffff;
  const hy = hiWord(y);
  const ly = loWord(y);
  const iy = hy & 0x7fffffff;
  if (x !== x || y !== y) return x + y;
  if (((hx - 0x3ff00000) | lx) === 0) return atan(y);
  let m = ((hy >> 31) & 1) | ((hx >> 30) & 2);
  if ((iy | ly) === 0) {
    if (m <= 1) return y;
    return m === 2 ? PI + TINY : -PI - TINY;
  }
  if ((ix | lx) === 0) return hy < 0 ? -PIO2_HI - TINY : PIO2_HI + TINY;
  if (ix === 0x7ff00000) {
    if (iy === 0x7ff00000) return [PI_O_4 + TINY, -PI_O_4 - TINY, 3 * PI_O_4 + TINY, -3 * PI_O_4 - TINY][m];
    return [0, -0, PI + TINY, -PI - TINY][m];
  }
  if (iy === 0x7ff00000) return hy < 0 ? -PIO2_HI - TINY : PIO2_HI + TINY;
  const k = (iy - ix) >> 20;
  let z: number;
  if (k > 60) {
    z = PIO2_HI + 0.5 * PI_LO;
    m &= 1;
  } else if (hx < 0 && k < -60) {
    z = 0;
  } else {
    z = atan(Math.abs(y / x));
  }
  switch (m) {
    case 0:
      return z;
    case 1:
      return -z;
    case 2:
      return PI - (z - PI_LO);
    default:
      return z - PI_LO - PI;
  }
}

// ---- sin, cos, tan: reduction by π/2, then kernels on [-π/4, π/4]
const S1 = -1.66666666666666324348e-1,
  S2 = 8.33333333332248946124e-3,
  S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6,
  S5 = -2.50507602534068634195e-8,
  S6 = 1.58969099521155010221e-10;

/** sin(x + y) for |x| ≤ π/4, y the tail of x (iy = 0: y is zero). */
const TWO_M27 = bound(0x3e400000);

function kernelSin(x: number, y: number, iy: number): number {
  if (Math.abs(x) < TWO_M27) return x;
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const C1 = 4.16666666666666019037e-2,
  C2 = -1.38888888888741095749e-3,
  C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7,
  C5 = 2.0875723212981748279e-9,
  C6 = -1.13596475577881948265e-11;

const COS_NEAR = bound(0x3fd33333); // |x| < 0.3
const COS_FAR = bound(0x3fe90001); // |x| > 0.78125

function kernelCos(x: number, y: number): number {
  const ax = Math.abs(x);
  if (ax < TWO_M27) return 1;
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ax < COS_NEAR) return 1 - (0.5 * z - (z * r - x * y));
  // fdlibm's qx: |x|/4 cut to the 20 mantissa bits of its high word (|x|/4 in [0.075, 0.196), binary exponent −4 or −3)
  const q = ax / 4;
  const qx =
    ax >= COS_FAR ? 0.28125 : q < 0.125 ? Math.floor(q * 16777216) / 16777216 : Math.floor(q * 8388608) / 8388608;
  const hz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (hz - (z * r - x * y));
}

const T = [
  3.33333333333334091986e-1, 1.33333333333201242699e-1, 5.39682539762260521377e-2, 2.18694882948595424599e-2,
  8.86323982359930005737e-3, 3.59207910759131235356e-3, 1.45620945432529025516e-3, 5.88041240820264096874e-4,
  2.46463134818469906812e-4, 7.817944429395570923e-5, 7.14072491382608190305e-5, -1.85586374855275456654e-5,
  2.59073051863633712884e-5,
];
const PIO4_LO = 3.06161699786838301793e-17;

/** tan(x + y) for |x| ≤ π/4 (iy = 1), or −1/tan(x + y) (iy = −1). */
function kernelTan(x: number, y: number, iy: number): number {
  const hx = hiWord(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x3e300000 && Math.trunc(x) === 0) {
    if ((ix | loWord(x) | (iy + 1)) === 0) return 1 / Math.abs(x);
    if (iy === 1) return x;
    const w = x + y;
    const z = withLo(w, 0);
    const v = y - (z - x);
    const a = -1 / w;
    const t = withLo(a, 0);
    const s = 1 + t * z;
    return t + a * (s + t * v);
  }
  if (ix >= 0x3fe59428) {
    if (hx < 0) {
      x = -x;
      y = -y;
    }
    const z = PIO4_HI - x;
    const w = PIO4_LO - y;
    x = z + w;
    y = 0;
  }
  const z = x * x;
  let w = z * z;
  let r = T[1] + w * (T[3] + w * (T[5] + w * (T[7] + w * (T[9] + w * T[11]))));
  let v = z * (T[2] + w * (T[4] + w * (T[6] + w * (T[8] + w * (T[10] + w * T[12])))));
  const s = z * x;
  r = y + z * (s * (r + v) + y);
  r += T[0] * s;
  w = x + r;
  if (ix >= 0x3fe59428) {
    v = iy;
    return (1 - ((hx >> 30) & 2)) * (v - 2 * (x - ((w * w) / (w + v) - r)));
  }
  if (iy === 1) return w;
  const z2 = withLo(w, 0);
  v = r - (z2 - x);
  const a = -1 / w;
  const t = withLo(a, 0);
  const s2 = 1 + t * z2;
  return t + a * (s2 + t * v);
}

const INV_PIO2 = 6.36619772367581382433e-1; // 0x3FE45F30 6DC9C883
const PIO2_1 = 1.57079632673412561417; // 0x3FF921FB 54400000: the first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2 = 6.0771005063039659766e-11; // the next 33 bits
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.0222662487111664558e-21; // the next 33 bits
const PIO2_3T = 8.47842766036889956997e-32;

/** The reduced argument: x = n·π/2 + (REDUCED[0] + REDUCED[1]), |REDUCED[0]| ≤ π/4; returns n. */
const REDUCED = [0, 0];

const PIO4 = bound(0x3fe921fc); // |x| ≤ π/4 (fdlibm: ix ≤ 0x3fe921fb)
const THREE_PIO4 = bound(0x4002d97c);
const NEAR_PIO2_LO = bound(0x3ff921fb); // the high word of π/2
const NEAR_PIO2_HI = bound(0x3ff921fc);
const MEDIUM = bound(0x413921fc); // |x| ≤ 2^19·π/2

function remPio2(x: number): number {
  const ax = Math.abs(x);
  if (ax < THREE_PIO4) {
    // |x| < 3π/4: n = ±1
    const sign = x > 0 ? 1 : -1;
    let z = x - sign * PIO2_1;
    if (ax < NEAR_PIO2_LO || ax >= NEAR_PIO2_HI) {
      REDUCED[0] = z - sign * PIO2_1T;
      REDUCED[1] = z - REDUCED[0] - sign * PIO2_1T;
    } else {
      z -= sign * PIO2_2;
      REDUCED[0] = z - sign * PIO2_2T;
      REDUCED[1] = z - REDUCED[0] - sign * PIO2_2T;
    }
    return sign;
  }
  if (ax < MEDIUM) {
    // n·π/2 subtracted in 33-bit pieces, as many as the cancellation needs: another while the result lost
    // more than 16 (then 49) binary orders of magnitude against x (2^e ≤ |x| < 2^(e+1))
    const n = Math.trunc(ax * INV_PIO2 + 0.5);
    let r = ax - n * PIO2_1;
    let w = n * PIO2_1T;
    let e = 1;
    while (ax >= POW2[e + 1 + 1022]) e++;
    let y0 = r - w;
    if (Math.abs(y0) < POW2[e - 16 + 1022]) {
      let u = r;
      w = n * PIO2_2;
      r = u - w;
      w = n * PIO2_2T - (u - r - w);
      y0 = r - w;
      if (Math.abs(y0) < POW2[e - 49 + 1022]) {
        u = r;
        w = n * PIO2_3;
        r = u - w;
        w = n * PIO2_3T - (u - r - w);
        y0 = r - w;
      }
    }
    const y1 = r - y0 - w;
    if (x < 0) {
      REDUCED[0] = -y0;
      REDUCED[1] = -y1;
      return -n;
    }
    REDUCED[0] = y0;
    REDUCED[1] = y1;
    return n;
  }
  return remPio2Huge(x);
}

// 2/π as a fixed-point integer of TWO_OVER_PI_BITS bits after the point, computed once with BigInt from
// Machin's formula π = 16·atan(1/5) − 4·atan(1/239): exact integer arithmetic, the same on every engine.
const TWO_OVER_PI_BITS = 1400n;
const TWO_OVER_PI: bigint = (() => {
  const guard = 64n;
  const one = 1n << (TWO_OVER_PI_BITS + guard);
  const atanInv = (k: bigint) => {
    let sum = 0n;
    let power = one / k;
    const k2 = k * k;
    for (let n = 1n, sign = 1n; power !== 0n; n += 2n, sign = -sign) {
      sum += (sign * power) / n;
      power /= k2;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  return ((2n * one) << TWO_OVER_PI_BITS) / pi;
})();
const MASK53 = (1n << 53n) - 1n;
const WINDOW = 256n;

/** 2^k for a normal result, exactly. */
const pow2 = (k: number) => fromWords((k + 0x3ff) << 20, 0);

/** Payne–Hanek for |x| > 2^19·π/2: x·2/π to 1400 bits; its integer part mod 4 and its fraction times π/2. */
function remPio2Huge(x: number): number {
  const ix = hiWord(x) & 0x7fffffff;
  if (ix >= 0x7ff00000) {
    REDUCED[0] = REDUCED[1] = x - x;
    return 0;
  }
  // |x| = m · 2^e with m a 53-bit integer
  const e = ((ix >> 20) & 0x7ff) - 1075;
  const m = (BigInt(ix & 0xfffff) << 32n) | BigInt(loWord(x)) | (1n << 52n);
  const product = m * TWO_OVER_PI; // |x|·2/π · 2^(TWO_OVER_PI_BITS − e)
  const point = TWO_OVER_PI_BITS - BigInt(e); // bits after the binary point
  let n = Number((product >> point) & 3n);
  // the fraction in [-1/2, 1/2): above 1/2, take n + 1 and the fraction − 1
  let frac = product & ((1n << point) - 1n);
  if (frac >= 1n << (point - 1n)) {
    n = (n + 1) & 3;
    frac -= 1n << point;
  }
  const negative = frac < 0n;
  if (negative) frac = -frac;
  // its top WINDOW bits, then their leading 106 bits as hi + lo (x may lie within 2^-61 of a multiple of π/2)
  const top = frac >> (point - WINDOW);
  const shift = BigInt(top.toString(2).length) - 106n;
  const bits = shift >= 0n ? top >> shift : top << -shift;
  let hi = Number(bits >> 53n) * pow2(Number(shift - WINDOW) + 53);
  let lo = Number(bits & MASK53) * pow2(Number(shift - WINDOW));
  if (negative) {
    hi = -hi;
    lo = -lo;
  }
  // (hi + lo)·π/2 in double-double: π/2 = PIO2_HI + PIO2_LO, and PIO2_HI split in halves for an exact product
  const s = hi + lo;
  const sLo = lo - (s - hi);
  const split = (a: number) => {
    const c = 134217729 * a;
    const h = c - (c - a);
    return [h, a - h];
  };
  const [ah, al] = split(s);
  const [bh, bl] = split(PIO2_HI);
  const p = s * PIO2_HI;
  const pErr = ah * bh - p + ah * bl + al * bh + al * bl;
  const tail = pErr + s * PIO2_LO + sLo * PIO2_HI;
  const y0 = p + tail;
  const y1 = tail - (y0 - p);
  if (hiWord(x) < 0) {
    REDUCED[0] = -y0;
    REDUCED[1] = -y1;
    return -n;
  }
  REDUCED[0] = y0;
  REDUCED[1] = y1;
  return n;
}

export function sin(x: number): number {
  const ax = Math.abs(x);
  if (ax < PIO4) return kernelSin(x, 0, 0);
  if (!(ax < Infinity)) return x - x;
  const n = remPio2(x) & 3;
  const [y0, y1] = REDUCED;
  if (n === 0) return kernelSin(y0, y1, 1);
  if (n === 1) return kernelCos(y0, y1);
  if (n === 2) return -kernelSin(y0, y1, 1);
  return -kernelCos(y0, y1);
}

export function cos(x: number): number {
  const ax = Math.abs(x);
  if (ax < PIO4) return kernelCos(x, 0);
  if (!(ax < Infinity)) return x - x;
  const n = remPio2(x) & 3;
  const [y0, y1] = REDUCED;
  if (n === 0) return kernelCos(y0, y1);
  if (n === 1) return -kernelSin(y0, y1, 1);
  if (n === 2) return -kernelCos(y0, y1);
  return kernelSin(y0, y1, 1);
}

export function tan(x: number): number {
  const ax = Math.abs(x);
  if (ax < PIO4) return kernelTan(x, 0, 1);
  if (!(ax < Infinity)) return x - x;
  const n = remPio2(x);
  return kernelTan(REDUCED[0], REDUCED[1], 1 - ((n & 1) << 1));
}

// ---- pow: log2(x) to about 64 bits as t1 + t2, y·log2(x) = n + y', then 2^n · exp(y'·ln 2)
const BP = [1, 1.5];
const DP_H = [0, 5.84962487220764160156e-1]; // log2(1.5), high
const DP_L = [0, 1.35003920212974897128e-8];
const L1 = 5.99999999999994648725e-1,
  L2 = 4.28571428578550184252e-1,
  L3 = 3.33333329818377432918e-1;
const L4 = 2.72728123808534006489e-1,
  L5 = 2.30660745775561754067e-1,
  L6 = 2.06975017800338417784e-1;
const LN2 = 6.93147180559945286227e-1;
const LN2_H = 6.93147182464599609375e-1;
const LN2_L = -1.90465429995776804525e-9;
const OVT = 8.0085662595372944372e-17;
const CP = 9.61796693925975554329e-1; // 2/(3 ln 2)
const CP_H = 9.61796700954437255859e-1;
const CP_L = -7.02846165095275826516e-9;
const IVLN2 = 1.442695040888963387;
const IVLN2_H = 1.44269502162933349609;
const IVLN2_L = 1.92596299112661746887e-8;
const TWO53 = 9007199254740992;

export function pow(x: number, y: number): number {
  const hx = hiWord(x);
  const lx = loWord(x);
  const hy = hiWord(y);
  const ly = loWord(y);
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;
  if ((iy | ly) === 0) return 1;
  if (x !== x || y !== y) return x + y;
  // yisint: 0 not an integer, 1 odd, 2 even (only needed when x < 0)
  let yisint = 0;
  if (hx < 0) {
    if (iy >= 0x43400000) yisint = 2;
    else if (iy >= 0x3ff00000) {
      const k = (iy >> 20) - 0x3ff;
      if (k > 20) {
        const j = ly >>> (52 - k);
        if ((j << (52 - k)) >>> 0 === ly) yisint = 2 - (j & 1);
      } else if (ly === 0) {
        const j = iy >> (20 - k);
        if (j << (20 - k) === iy) yisint = 2 - (j & 1);
      }
    }
  }
  if (ly === 0) {
    if (iy === 0x7ff00000) {
      if (((ix - 0x3ff00000) | lx) === 0) return NaN; // (±1)^±∞
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0;
      return hy < 0 ? -y : 0;
    }
    if (iy === 0x3ff00000) return hy < 0 ? 1 / x : x;
    if (hy === 0x40000000) return x * x;
    if (hy === 0x3fe00000 && hx >= 0) return Math.sqrt(x);
  }
  let ax = Math.abs(x);
  if (lx === 0 && (ix === 0x7ff00000 || ix === 0 || ix === 0x3ff00000)) {
    let z = ax;
    if (hy < 0) z = 1 / z;
    if (hx < 0) {
      if (((ix - 0x3ff00000) | yisint) === 0) z = NaN;
      else if (yisint === 1) z = -z;
    }
    return z;
  }
  let n = (hx >> 31) + 1;
  if ((n | yisint) === 0) return NaN; // (x < 0)^(not an integer)
  const s = (n | (yisint - 1)) === 0 ? -1 : 1;
  let t1: number;
  let t2: number;
  if (iy > 0x41e00000) {
    // |y| > 2^31
    if (iy > 0x43f00000) {
      if (ix <= 0x3fefffff) return hy < 0 ? Infinity : 0;
      if (ix >= 0x3ff00000) return hy > 0 ? Infinity : 0;
    }
    if (ix < 0x3fefffff) return hy < 0 ? s * Infinity : s * 0;
    if (ix > 0x3ff00000) return hy > 0 ? s * Infinity : s * 0;
    const t = ax - 1;
    const w = t * t * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
    const u = IVLN2_H * t;
    const v = t * IVLN2_L - w * IVLN2;
    t1 = withLo(u + v, 0);
    t2 = v - (t1 - u);
  } else {
    n = 0;
    if (ix < 0x00100000) {
      ax *= TWO53;
      n -= 53;
      ix = hiWord(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    ix = j | 0x3ff00000;
    let k: number;
    if (j <= 0x3988e) k = 0;
    else if (j < 0xbb67a) k = 1;
    else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = withHi(ax, ix);
    let u = ax - BP[k];
    let v = 1 / (ax + BP[k]);
    const ss = u * v;
    const sH = withLo(ss, 0);
    let tH = fromWords(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0);
    let tL = ax - (tH - BP[k]);
    const sL = v * (u - sH * tH - sH * tL);
    let s2 = ss * ss;
    let r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += sL * (sH + ss);
    s2 = sH * sH;
    tH = withLo(3 + s2 + r, 0);
    tL = r - (tH - 3 - s2);
    u = sH * tH;
    v = sL * tH + tL * ss;
    const pH = withLo(u + v, 0);
    const pL = v - (pH - u);
    const zH = CP_H * pH;
    const zL = CP_L * pH + pL * CP + DP_L[k];
    const t = n;
    t1 = withLo(zH + zL + DP_H[k] + t, 0);
    t2 = zL - (t1 - t - DP_H[k] - zH);
  }
  // (y1 + y2)·(t1 + t2), y1 the top 32 bits of y
  const y1 = withLo(y, 0);
  const pL = (y - y1) * t1 + y * t2;
  let pH = y1 * t1;
  let z = pL + pH;
  let j = hiWord(z);
  let i = loWord(z);
  if (j >= 0x40900000) {
    if (((j - 0x40900000) | i) !== 0) return s * Infinity;
    if (pL + OVT > z - pH) return s * Infinity;
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    if (((j - (0xc090cc00 | 0)) | i) !== 0) return s * 0;
    if (pL <= z - pH) return s * 0;
  }
  i = j & 0x7fffffff;
  let k = (i >> 20) - 0x3ff;
  n = 0;
  if (i > 0x3fe00000) {
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff;
    const t = fromWords(n & ~(0x000fffff >> k), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    pH -= t;
  }
  const t = withLo(pL + pH, 0);
  const u = t * LN2_H;
  const v = (pL - (t - pH)) * LN2 + t * LN2_L;
  z = u + v;
  const w = v - (z - u);
  const tt = z * z;
  const tt1 = z - tt * (P1 + tt * (P2 + tt * (P3 + tt * (P4 + tt * P5))));
  const r = (z * tt1) / (tt1 - 2 - (w + z * w));
  z = 1 - (r - z);
  j = hiWord(z);
  j += n << 20;
  if (j >> 20 <= 0) z = scalbn(z, n);
  else z = withHi(z, (hiWord(z) + (n << 20)) | 0);
  return s * z;
}
