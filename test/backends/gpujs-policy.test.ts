import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../../runtime';
import { getBackend, kernelStats, runKernel, setBackend } from '../../runtime/backend';
import { getKernel } from '../../runtime/kernels';
import { prepareWebGPU, runKernelWebGPU, setSmallTensorLimit, THRESHOLDS } from '../../runtime/backends/gpujs';
import { takes } from '../../runtime/backends/gpujs/policy';
import { eagerSimd } from '../../runtime/backends/js/wasm/eager';
import { expectClose, values, view } from './views';

/** Which calls the gpu.js backends take (measured thresholds, dtypes), and what webgpu says about itself. */
describe('gpu.js takes() policy', () => {
  let previousLimit: number | null;
  let previousBackend: string;
  const simdMin = eagerSimd.min;
  beforeEach(() => {
    previousBackend = getBackend().name;
    previousLimit = setSmallTensorLimit(null);
    // the thresholds below are gpu.js against the JS loops; the js kernel's SIMD path is tested on its own
    eagerSimd.min = Infinity;
  });
  afterEach(() => {
    setSmallTensorLimit(previousLimit);
    setBackend(previousBackend);
    eagerSimd.min = simdMin;
  });

  const ran = (f: () => void) => {
    const [calls, fallbacks] = [kernelStats.calls, kernelStats.fallbacks];
    f();
    return kernelStats.calls - calls === kernelStats.fallbacks - fallbacks ? 'js' : 'gpu.js';
  };
  const add =
    (n: number, dtype: 'float32' | 'float64' = 'float32') =>
    () => {
      const [a, b] = [view([n], 'contiguous', values(n, 1), dtype), view([n], 'contiguous', values(n, 2), dtype)];
      runKernel('binary', [a, b], { fn: 'add' }, { shape: [n], dtype });
    };
  const clamp =
    (n: number, dtype: 'float32' | 'float64' = 'float32') =>
    () =>
      void runKernel(
        'clamp',
        [view([n], 'contiguous', values(n, 1), dtype)],
        { min: -1, max: 1 },
        { shape: [n], dtype },
      );

  it.each(['cpu', 'webasm'] as const)('%s: small tensors and float64 run on js, large float32 on gpu.js', (mode) => {
    setBackend(mode);
    // clamp: a family gpu.js wins from a measured size on both modes (add, measured: never)
    const at = THRESHOLDS[mode].clamp;
    expect(Number.isFinite(at)).toBe(true);
    expect(ran(clamp(3))).toBe('js');
    expect(ran(clamp(at - 1))).toBe('js');
    expect(ran(clamp(at))).toBe('gpu.js');
    expect(ran(clamp(at, 'float64'))).toBe('js');
    expect(ran(add(1 << 20))).toBe(1 << 20 >= THRESHOLDS[mode].binary ? 'gpu.js' : 'js');
    setSmallTensorLimit(0);
    expect(ran(add(3))).toBe('gpu.js');
    expect(ran(add(3, 'float64'))).toBe('js');
  });

  it('a contiguous copy stays on js unless forced (a memcpy beats any kernel)', () => {
    setBackend('webasm');
    const x = view([1 << 20], 'contiguous', values(1 << 20, 3));
    const copy = () => void runKernel('copy', [x], {}, { shape: [1 << 20], dtype: 'float32' });
    expect(ran(copy)).toBe('js');
    setSmallTensorLimit(0);
    expect(ran(copy)).toBe('gpu.js');
  });

  it('Math fns and strided inputs cross over at their own sizes (Math fns only when attrs are passed)', () => {
    const n = 2048;
    const out = { shape: [32, 64], dtype: 'float32' } as const;
    const flat = view([32, 64], 'contiguous', values(n, 4));
    const transposed = view([32, 64], 'transposed', values(n, 4));
    // cpu inlines Math.tanh into its own loop and wins early; webasm calls out to JS per element and never does
    expect(takes('cpu', 'unary', [flat], out, { fn: 'tanh' })).toBe(n >= THRESHOLDS.cpu.unaryMath);
    expect(takes('webasm', 'unary', [flat], out, { fn: 'tanh' })).toBe(false);
    expect(takes('webasm', 'unary', [flat], out, { fn: 'relu' })).toBe(n >= THRESHOLDS.webasm.unary);
    expect(takes('webasm', 'unary', [transposed], out, { fn: 'relu' })).toBe(n >= THRESHOLDS.webasm.strided);
    expect(takes('webasm', 'unary', [flat], out)).toBe(n >= THRESHOLDS.webasm.unary);
  });

  it.each(['cpu', 'webasm'] as const)(
    '%s leaves to js what its WebAssembly SIMD path takes, and takes the rest as before',
    (mode) => {
      eagerSimd.min = simdMin;
      setBackend(mode);
      const n = 8192;
      const out = { shape: [64, 128], dtype: 'float32' } as const;
      const flat = view([64, 128], 'contiguous', values(n, 4));
      const transposed = view([64, 128], 'transposed', values(n, 4));
      expect(takes(mode, 'unary', [flat], out, { fn: 'relu' })).toBe(false);
      expect(takes(mode, 'binary', [flat, flat], out, { fn: 'mul' })).toBe(false);
      // a transposed input is not one the SIMD path reads: gpu.js's thresholds apply
      expect(takes(mode, 'unary', [transposed], out, { fn: 'relu' })).toBe(n >= THRESHOLDS[mode].strided);
      expect(ran(add(n))).toBe('js');
      // forcing gpu.js (a small-tensor limit) still forces it
      setSmallTensorLimit(0);
      expect(ran(add(n))).toBe('gpu.js');
    },
  );

  it('setSmallTensorLimit returns the limit it replaces', () => {
    setSmallTensorLimit(123);
    expect(setSmallTensorLimit(null)).toBe(123);
  });
});

describe('webgpu without the facade (the asynchronous single-kernel API)', () => {
  // the synchronous backend's probe and its refusal here: webgpu-facade.test.ts
  it('runs a kernel asynchronously where an adapter answers (skipped here otherwise)', async (ctx) => {
    const why = await prepareWebGPU();
    if (why) {
      ctx.skip(); // the reason is in the probe test's message; Debian 12 cannot load Dawn
      return;
    }
    const [a, b] = [view([3, 5], 'transposed', values(15, 1)), view([3, 5], 'broadcast', values(15, 2))];
    const out = { shape: [3, 5], dtype: 'float32' } as const;
    const got = await runKernelWebGPU('binary', [a, b], { fn: 'mul' }, out);
    expectClose(got, getKernel('js', 'binary')!([a, b], { fn: 'mul' }, out), 'webgpu mul');
  });
});
