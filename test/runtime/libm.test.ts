// runtime/backends/js/libm.ts: fdlibm's functions over exact operations. Checked against this Node's Math.*
// (V8's fdlibm, the same algorithms) over many arguments and the edge cases: equal bits almost everywhere,
// and never more than 1 ulp apart. That the bits are the same in Chromium as here is what
// scripts/math-determinism.ts measures (a browser is too slow a fixture for a unit test), and
// test/lite/lite.test.ts shows end to end (the PDE notebooks print Node's numbers in JupyterLite).
import { describe, expect, it } from 'vitest';
import * as libm from '../../runtime/backends/js/libm';
import * as nb from '../../runtime';
import { tanh64 } from '../../runtime/ops/registry/tanh64';

const UNARY = [
  'exp',
  'expm1',
  'log',
  'log1p',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sinh',
  'cosh',
  'asinh',
  'acosh',
  'atanh',
  'asin',
  'acos',
  'atan',
] as const;
const BINARY = ['atan2', 'pow'] as const;

const F = new Float64Array(1);
const W = new Uint32Array(F.buffer);

/** Distance in ulps between two doubles: 0 for the same bits or two NaNs, Infinity for NaN against a number. */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (a !== a && b !== b)) return 0;
  if (a !== a || b !== b) return Infinity;
  const ord = (x: number) => {
    F[0] = x;
    const v = BigInt(W[1]) * 4294967296n + BigInt(W[0]);
    return v >= 1n << 63n ? -(v - (1n << 63n)) : v;
  };
  const d = ord(a) - ord(b);
  return Number(d < 0n ? -d : d);
}

/** A seeded generator of doubles: small arguments, magnitudes over 2^±40, 1e6-sized ones, and any bit pattern. */
function generator(seed: number) {
  let s = seed;
  const u32 = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const uni = () => (u32() * 4294967296 + u32()) / 2 ** 64;
  const any = () => {
    switch (u32() % 5) {
      case 0:
        return (uni() * 2 - 1) * 10;
      case 1:
        return uni() * 2 - 1;
      case 2:
        return (u32() & 1 ? -1 : 1) * (1 + uni()) * 2 ** ((u32() % 81) - 40);
      case 3:
        return (uni() * 2 - 1) * 1e6;
      default:
        W[0] = u32();
        W[1] = u32();
        return F[0];
    }
  };
  return { uni, any };
}

const EDGES = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  1,
  -1,
  0.5,
  -0.5,
  2,
  -2,
  3,
  10,
  -10,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  -2.2250738585072014e-308,
  1e-310,
  1e-300,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Math.PI,
  Math.PI / 2,
  Math.PI / 4,
  -Math.PI / 2,
  (3 * Math.PI) / 4,
  1e22,
  -1e22,
  2 ** 52,
  2 ** 60,
  2 ** 1000,
  709.78,
  709.79,
  710,
  -745.1,
  -746,
  22,
  0.34657359027997264,
  1e-8,
  -1e-8,
  2 ** -28,
  2 ** -55,
  0.9999999999999999,
  1.0000000000000002,
  0.975,
  0.41422,
];

const N = 200_000;

describe('libm agrees with V8’s fdlibm in Node (Math.*) to 1 ulp, almost always to the bit', () => {
  for (const name of UNARY) {
    it(name, () => {
      const f = libm[name];
      const m = Math[name];
      const { any } = generator(0x51ed + name.length);
      let differ = 0;
      let worst = 0;
      let where = NaN;
      const check = (x: number) => {
        const d = ulps(f(x), m(x));
        if (d > 0) differ++;
        if (d > worst) [worst, where] = [d, x];
      };
      for (const x of EDGES) check(x);
      for (let i = 0; i < N; i++) check(any());
      expect(worst, `${name}(${where}) = ${f(where)}, Math.${name} ${m(where)}`).toBeLessThanOrEqual(1);
      // sin/cos/tan reduce some arguments their own way, and Node's tanh is not fdlibm's for tiny ones: a few
      // last bits; every other function is V8's own algorithm and must give its bits
      expect(differ / N).toBeLessThan(['sin', 'cos', 'tan', 'tanh'].includes(name) ? 0.01 : 1e-5);
    });
  }
  for (const name of BINARY) {
    it(name, () => {
      const f = libm[name];
      const m = Math[name];
      const { any, uni } = generator(0xbeef + name.length);
      let worst = 0;
      let differ = 0;
      let where: number[] = [];
      const check = (a: number, b: number) => {
        const d = ulps(f(a, b), m(a, b));
        if (d > 0) differ++;
        if (d > worst) [worst, where] = [d, [a, b]];
      };
      for (const a of EDGES) for (const b of EDGES) check(a, b);
      for (let i = 0; i < N; i++) {
        if (name === 'pow') check(i % 2 ? Math.abs(any()) : any(), i % 3 ? (uni() * 2 - 1) * 10 : any());
        else check(any(), any());
      }
      expect(
        worst,
        `${name}(${where.join(', ')}) = ${f(where[0], where[1])}, Math.${name} ${m(where[0], where[1])}`,
      ).toBeLessThanOrEqual(1);
      expect(differ / N).toBeLessThan(1e-5);
    });
  }

  it('keeps the special values IEEE 754 and ECMAScript give', () => {
    expect(libm.exp(-Infinity)).toBe(0);
    expect(libm.log(0)).toBe(-Infinity);
    expect(libm.log(-1)).toBeNaN();
    expect(Object.is(libm.sin(-0), -0)).toBe(true);
    expect(Object.is(libm.tan(-0), -0)).toBe(true);
    expect(libm.cos(Infinity)).toBeNaN();
    expect(libm.pow(NaN, 0)).toBe(1);
    expect(libm.pow(1, Infinity)).toBeNaN(); // ECMAScript's answer (C's is 1)
    expect(libm.pow(-8, 1 / 3)).toBeNaN();
    expect(libm.pow(-2, 3)).toBe(-8);
    expect(libm.pow(2, -1074)).toBe(5e-324);
    expect(libm.atan2(0, -0)).toBe(Math.PI);
    expect(libm.atanh(1)).toBe(Infinity);
    expect(libm.expm1(-Infinity)).toBe(-1);
  });

  it('reduces huge sin/cos/tan arguments as precisely as fdlibm (beyond 2^19·π/2, by BigInt 2/π)', () => {
    expect(libm.sin(1e22)).toBe(-0.8522008497671888); // the classic test value, correctly rounded
    expect(ulps(libm.cos(1e22), 0.5232147853951389)).toBeLessThanOrEqual(1);
    for (const x of [2 ** 20, 1e6 * Math.PI, 1e15, 2 ** 1000, Number.MAX_VALUE, -1e300, 6381956970095103 * 2 ** 797]) {
      for (const name of ['sin', 'cos', 'tan'] as const)
        expect(ulps(libm[name](x), Math[name](x)), `${name}(${x})`).toBeLessThanOrEqual(1);
    }
  });
});

describe('the runtime computes with libm', () => {
  it('exp, sin, pow of tensors and numbers give libm’s bits, and tanh tanh64’s (float64)', () => {
    const xs = [0.1, 0.7, 1.3, 2.9, -3.7, 12.5, 100.25];
    // float64 tanh is the runtime's own polynomial (ops/registry/tanh64.ts), which compiled plans run in wasm
    expect(nb.tanh(nb.tensor(xs, { dtype: 'float64' })).tolist()).toEqual(xs.map(tanh64));
    for (const name of ['exp', 'sin', 'cos', 'log1p', 'atan'] as const) {
      const t = (nb as unknown as Record<string, (x: nb.Tensor) => nb.Tensor>)[name](
        nb.tensor(xs, { dtype: 'float64' }),
      );
      expect(t.tolist(), name).toEqual(xs.map((x) => libm[name](x)));
    }
    const p = nb.pow(
      nb.tensor(xs.map(Math.abs), { dtype: 'float64' }),
      nb.tensor([0.3, 1.7, -2.2, 0.5, 3.3, -0.9, 1.1], { dtype: 'float64' }),
    );
    expect(p.tolist()).toEqual(xs.map((x, i) => libm.pow(Math.abs(x), [0.3, 1.7, -2.2, 0.5, 3.3, -0.9, 1.1][i])));
  });
});
