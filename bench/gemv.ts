/**
 * One-column products (N = 1) on one thread, the way they ran before (the 4×8 micro-kernel over a panel of 8
 * float32 or 4 float64 columns, keeping one) and the way they run now (gemvFunc: rows as lanes), on the same
 * operands in one wasm memory, alternating, three rounds: µs a product, old / new. bench/RESULTS.md, "Stop 18".
 * Run: npx tsx bench/gemv.ts
 */
import { tileOn } from '../runtime/backends/js/wasm/gemm';

const mem = new WebAssembly.Memory({ initial: 2048 });
for (const dtype of ['float32', 'float64'] as const) {
  const k = tileOn(mem, dtype);
  if (!k) throw new Error('WebAssembly SIMD is unavailable here');
  const e = dtype === 'float32' ? 4 : 8;
  const P = k.panelCols;
  const F = dtype === 'float32' ? new Float32Array(mem.buffer) : new Float64Array(mem.buffer);
  for (let i = 0; i < 3_000_000; i++) F[i] = Math.sin(i);
  // [M, K, A transposed]: the PINN's and the MLP's last layer and its weight gradient, Burgers' (10,000 points)
  const shapes = [
    [1024, 32, false],
    [32, 1024, true],
    [4096, 64, false],
    [64, 4096, true],
    [10000, 20, false],
    [20, 10000, true],
  ] as const;
  for (const [M, K, transposed] of shapes) {
    const [si, sj] = transposed ? [1, M] : [K, 1];
    const [a, b, c] = [0, 1_000_000, 2_000_000].map((x) => x * e);
    const Mp = Math.ceil(M / 4) * 4;
    const panel = () => k.gemm(a, si * e, sj * e, b, P * e, K * P * e, c, P * e, 0, Mp, 0, 1, K);
    const gemv = () => k.gemv(a, si * e, sj * e, b, P * e, c, P * e, M, K);
    const time = (f: () => void) => {
      const reps = Math.max(50, Math.floor(2e7 / (M * K)));
      for (let i = 0; i < 20; i++) f();
      const t = performance.now();
      for (let i = 0; i < reps; i++) f();
      return (1000 * (performance.now() - t)) / reps;
    };
    const rounds = [0, 1, 2].map(() => `${time(panel).toFixed(1)} / ${time(gemv).toFixed(1)}`);
    console.log(`${dtype} ${M}×${K}×1${transposed ? ' (A transposed)' : ''}: µs, panel / gemv: ${rounds.join(', ')}`);
  }
}
