/**
 * What resident tensors save on webgpu: the same eager work with results kept on the GPU (the default) and
 * with every result read back as it is computed (`setGpuResident(false)`, how webgpu ran before), in one
 * process, alternating, beside webasm (the automatic choice on a CPU machine). Needs a WebGPU adapter: on
 * a machine without a GPU, Mesa's lavapipe (README.md, Backends) — then the "GPU" is this CPU, so the
 * numbers measure what crossing between host and agent costs, not a GPU's speed.
 * Run: `npx tsx bench/webgpu-resident.ts [--rounds 5]`.
 */
import * as nb from '../runtime';
import type { Tensor } from '../runtime';
import { gpuTraffic, setGpuResident, setSmallTensorLimit, webgpuDevice } from '../runtime/devices';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;

/** Elementwise chain on a 262,144-element tensor, then one number read back. */
function chain() {
  const x = nb.randn([512, 512], { seed: 1 });
  return () => {
    let y = x;
    for (let i = 0; i < 10; i++) y = nb.tanh(nb.add(nb.mul(y, 0.9), 0.1));
    return nb.sum(y).item() as number;
  };
}

/** One Adam step of a 2 → 64 → 64 → 1 tanh MLP on a batch of 4,096 (the loss read back, as a loop does). */
function mlpStep() {
  const model = nb.mlp([2, 64, 64, 1], { seed: 0 });
  const X = nb.randn([4096, 2], { seed: 1 });
  const Y = nb.sin(nb.sum(X, { axis: 1, keepdim: true }));
  const opt = nb.adam(model.params, { lr: 1e-3 });
  return () => {
    opt.zeroGrad();
    const L = nb.mean(nb.pow(nb.sub(model(X), Y), 2));
    L.backward();
    opt.step();
    return L.item() as number;
  };
}

type Setup = { name: string; backend: string; resident: boolean };
const setups: Setup[] = [
  { name: 'webgpu, resident', backend: 'webgpu', resident: true },
  { name: 'webgpu, read back every result', backend: 'webgpu', resident: false },
  { name: 'webasm (the automatic choice here)', backend: 'webasm', resident: true },
];

function timeOf(setup: Setup, make: () => () => number, reps: number): { ms: number; floatsMoved: number } {
  nb.setBackend(setup.backend);
  setGpuResident(setup.resident);
  // webgpu takes every call (the MLP's biases and loss would otherwise stay on js under the GPU thresholds);
  // webasm keeps its measured thresholds, as the automatic choice runs it
  setSmallTensorLimit(setup.backend === 'webgpu' ? 0 : null);
  const run = make();
  run(); // warm: kernels built
  const before = gpuTraffic.webgpu.floatsRead + gpuTraffic.webgpu.floatsUploaded;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  const ms = (performance.now() - t0) / reps;
  return { ms, floatsMoved: (gpuTraffic.webgpu.floatsRead + gpuTraffic.webgpu.floatsUploaded - before) / reps };
}

nb.setBackend('webgpu');
console.log(`webgpu device: ${webgpuDevice()}`);
for (const [label, make, reps] of [
  ['elementwise chain, 10 × (mul, add, tanh) on 262,144 + sum', chain, 5],
  ['MLP Adam step, batch 4,096', mlpStep, 5],
] as const) {
  const best = new Map<string, { ms: number; floatsMoved: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 ? [...setups].reverse() : setups) {
      const t = timeOf(s, make, reps);
      if (!best.has(s.name) || t.ms < best.get(s.name)!.ms) best.set(s.name, t);
    }
  }
  const ref = best.get(setups[0].name)!.ms;
  console.log(`\n${label} (best of ${rounds} rounds)`);
  for (const s of setups) {
    const t = best.get(s.name)!;
    const moved = s.backend === 'webgpu' ? `, ${Math.round(t.floatsMoved).toLocaleString('en')} floats host↔GPU` : '';
    console.log(
      `  ${s.name.padEnd(34)} ${t.ms.toFixed(1).padStart(8)} ms  (${(t.ms / ref).toFixed(2)}× resident${moved})`,
    );
  }
}
process.exit(0);
