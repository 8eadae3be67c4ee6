/**
 * `npx tsx scripts/math-determinism.ts [N]`: which transcendental functions give different bits in Debian's
 * Chromium than in this Node, over N (default 10^6) arguments each, for `Math.*` and for the runtime's own
 * `runtime/backends/js/libm.ts` (bundled into the page by esbuild). The arguments come from one seeded
 * generator that runs, as the same source text, on both sides; only the page's results cross over.
 *
 * Why it exists: V8's libm changed between Node 20 and current Chromium, so a float32 training of hundreds of
 * steps printed different numbers in JupyterLite than in the ZMQ kernel. The runtime uses libm.ts wherever
 * `Math.*` differed; this script is the evidence (its output is quoted in the issue's report).
 */
import { buildSync } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/web/browser';
import * as libm from '../runtime/backends/js/libm';

const N = Number(process.argv[2] ?? 1e6);

/** name → [arity, argument kind]; the kinds are the ranges generated below. */
const FUNCTIONS: Record<string, [1 | 2, string]> = {
  sqrt: [1, 'pos'], // a control: correctly rounded by IEEE 754, so identical everywhere
  exp: [1, 'exp'],
  expm1: [1, 'exp'],
  log: [1, 'pos'],
  log1p: [1, 'log1p'],
  sin: [1, 'any'],
  cos: [1, 'any'],
  tan: [1, 'any'],
  tanh: [1, 'exp'],
  sinh: [1, 'exp'],
  cosh: [1, 'exp'],
  asinh: [1, 'any'],
  acosh: [1, 'pos1'],
  atanh: [1, 'unit'],
  asin: [1, 'unit'],
  acos: [1, 'unit'],
  atan: [1, 'any'],
  atan2: [2, 'any'],
  pow: [2, 'pow'],
  hypot: [2, 'any'],
};

/**
 * The page and Node run this same text: fills a Float64Array with f's results over n seeded arguments. The
 * ranges mix the small arguments networks see (|x| < 10), magnitudes spread log-uniformly over 2^-40..2^41 (made by exact halvings and doublings, not Math.pow, which differs itself),
 * and some arbitrary bit patterns.
 */
const EVAL_SOURCE = `(f, arity, kind, n) => {
  let s = 0x9e3779b9 ^ (kind.length * 7919) ^ (arity * 104729);
  const u32 = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return s >>> 0; };
  const uni = () => (u32() * 4294967296 + u32()) / 18446744073709551616;
  const bits = new Float64Array(1), words = new Uint32Array(bits.buffer);
  const any = () => {
    const r = u32() % 4;
    if (r === 0) return (uni() * 2 - 1) * 10;
    if (r === 1) return (uni() * 2 - 1) * 1;
    if (r === 2) { let m = (u32() & 1 ? -1 : 1) * (1 + uni()); const k = (u32() % 81) - 40; for (let j = 0; j < Math.abs(k); j++) m = k < 0 ? m / 2 : m * 2; return m; }
    words[0] = u32(); words[1] = u32(); return bits[0];
  };
  const arg = (k) => {
    switch (k) {
      case 'exp': return u32() % 8 === 0 ? (uni() * 2 - 1) * 740 : (uni() * 2 - 1) * 20;
      case 'pos': return Math.abs(any());
      case 'pos1': return 1 + Math.abs(any());
      case 'log1p': return u32() % 2 ? uni() * 2 - 1 : Math.abs(any());
      case 'unit': return uni() * 2 - 1;
      case 'powbase': return u32() % 4 === 0 ? Math.abs(any()) : uni() * 10;
      case 'powexp': return (uni() * 2 - 1) * 10;
      default: return any();
    }
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (arity === 1) out[i] = f(arg(kind));
    else if (kind === 'pow') { const a = arg('powbase'); out[i] = f(a, arg('powexp')); }
    else { const a = arg(kind); out[i] = f(a, arg(kind)); }
  }
  return out;
}`;

const evalIn = new Function(`return ${EVAL_SOURCE}`)() as (
  f: (...a: number[]) => number,
  arity: number,
  kind: string,
  n: number,
) => Float64Array;

function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (a !== a && b !== b);
}

async function main(): Promise<void> {
  const libmBundle = buildSync({
    entryPoints: [resolve(fileURLToPath(new URL('.', import.meta.url)), '../runtime/backends/js/libm.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'LIBM',
    write: false,
  }).outputFiles[0].text;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: libmBundle });
    const version = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent);
    console.log(`${N} arguments per function; Node ${process.version} (V8 ${process.versions.v8}) vs ${version}`);
    console.log('function   Math.* differs   libm.ts differs   libm.ts vs Node Math.* (ulps ≤1 / >1)');
    for (const [name, [arity, kind]] of Object.entries(FUNCTIONS)) {
      const ours = (libm as unknown as Record<string, ((...a: number[]) => number) | undefined>)[name];
      const sources = ours ? ['Math', 'LIBM'] : ['Math'];
      const page64: Record<string, Float64Array> = {};
      for (const src of sources) {
        const b64 = await page.evaluate(
          ([source, name, arity, kind, n, src]) => {
            const fill = new Function(`return ${source}`)();
            const lib = src === 'Math' ? Math : (globalThis as any).LIBM;
            const out: Float64Array = fill(lib[name], arity, kind, n);
            const bytes = new Uint8Array(out.buffer);
            let s = '';
            for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            return btoa(s);
          },
          [EVAL_SOURCE, name, arity, kind, N, src] as const,
        );
        const buf = Buffer.from(b64, 'base64');
        page64[src] = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
      }
      const mathNode = evalIn((Math as any)[name], arity, kind, N);
      const count = (a: Float64Array, b: Float64Array) => a.reduce((c, v, i) => c + (sameBits(v, b[i]) ? 0 : 1), 0);
      const pct = (c: number) => `${c} (${((100 * c) / N).toPrecision(2)}%)`;
      let libCol = '—';
      let accCol = '—';
      if (ours) {
        const libNode = evalIn(ours, arity, kind, N);
        libCol = pct(count(libNode, page64.LIBM));
        let one = 0,
          more = 0;
        libNode.forEach((v, i) => {
          const d = ulps(v, mathNode[i]);
          if (d === 1) one++;
          else if (d > 1) more++;
        });
        accCol = `${one} / ${more}`;
      }
      console.log(`${name.padEnd(10)} ${pct(count(mathNode, page64.Math)).padEnd(16)} ${libCol.padEnd(17)} ${accCol}`);
    }
  } finally {
    await browser.close();
  }
}

/** Distance in units in the last place between two doubles (0 for equal bits or two NaNs; Infinity for NaN vs number). */
export function ulps(a: number, b: number): number {
  if (sameBits(a, b) || a === b) return 0;
  if (a !== a || b !== b) return Infinity;
  const ord = (x: number) => {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x);
    const big = v.getBigInt64(0);
    return big < 0n ? -(big & 0x7fffffffffffffffn) : big;
  };
  const d = ord(a) - ord(b);
  return Number(d < 0n ? -d : d);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
