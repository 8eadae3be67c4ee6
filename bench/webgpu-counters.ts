/**
 * Training steps on webgpu counted, not timed: per step, kernel dispatches, pipeline compilations, floats
 * host→device and device→host (runtime/backends/gpujs/counters.ts), for the MLP and PINN steps of the
 * benchmark (bench/steps.ts), with the optimizer on the device (the default) and with its host loop
 * (NABLA_DEVICE_OPTIM=0's behaviour), and the losses of N steps against the js backend's. The counts are
 * exact and the same on any device, so Dawn over Mesa's lavapipe (a CPU) measures them as a GPU would;
 * the ms column times lavapipe, not a GPU. `npm run bench` runs it (bench/run.ts) and adds its table.
 * Run alone: `npx tsx bench/webgpu-counters.ts [--steps 100] [--markdown]`.
 */
import * as nb from '../runtime';
import type { Tensor } from '../runtime';
import {
  countersSince,
  setSmallTensorLimit,
  webgpuCounters,
  webgpuDevice,
  type GpuCounters,
} from '../runtime/backends/gpujs';
import { setDeviceOptimizers } from '../runtime/optim/device-step';
import { benchData } from './data';
import { loadavg } from 'node:os';
import { median } from './stats';
import { mlpStep, pinnStep } from './steps';

const argv = process.argv.slice(2);
const steps = Number(argv[argv.indexOf('--steps') + 1]) || 100;
const markdown = argv.includes('--markdown');
const data = benchData();

/** The goals for the PINN step after warm-up (issue 16). */
const GOALS = { dispatches: 60, floatsDown: 16 };

interface Row {
  work: string;
  setup: string;
  first: GpuCounters;
  second: GpuCounters;
  third: GpuCounters;
  /** steps 4..N: every one the same, else the range */
  steady: Record<keyof GpuCounters, [number, number]>;
  ms: number;
  lossDiff: number;
}

const why = (() => {
  try {
    nb.setBackend('webgpu');
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
})();
if (why) {
  console.log(markdown ? `webgpu is not available here, so nothing was counted: ${why}` : `webgpu unavailable: ${why}`);
  process.exit(0);
}
setSmallTensorLimit(0); // every call on webgpu: the GPU thresholds would keep the MLP's biases and the losses on js

function lossesOnJs(make: () => () => Tensor): number[] {
  nb.setBackend('js');
  try {
    const step = make();
    return Array.from({ length: steps }, () => step().item() as number);
  } finally {
    nb.setBackend('webgpu');
  }
}

type Setup = 'optimizer on the device' | 'optimizer host loop' | 'compiled, optimizer on the device';

function measure(work: string, make: () => () => Tensor, setup: Setup, js: number[]): Row {
  const previous = setDeviceOptimizers(setup !== 'optimizer host loop');
  try {
    // compile(step) on webgpu: the plan of runtime/backends/gpujs/compiled-plan.ts, traced at step 1 (where it
    // builds its kernels) and replayed from step 2 (the PINN's x.grad, set from step 2 on, is added to by the plan)
    const step = setup.startsWith('compiled') ? nb.compile(make()) : make();
    const counts: GpuCounters[] = [];
    const ms: number[] = [];
    let lossDiff = 0;
    for (let i = 0; i < steps; i++) {
      const before = webgpuCounters()!;
      const t0 = performance.now();
      const loss = step().item() as number; // the loss read, as a training loop does
      ms.push(performance.now() - t0);
      counts.push(countersSince(before));
      lossDiff = Math.max(lossDiff, Math.abs(loss - js[i]) / Math.abs(js[i]));
    }
    const rest = counts.slice(3);
    const keys = Object.keys(counts[0]) as (keyof GpuCounters)[];
    const steady = Object.fromEntries(
      keys.map((k) => [k, [Math.min(...rest.map((c) => c[k])), Math.max(...rest.map((c) => c[k]))]]),
    ) as Row['steady'];
    return {
      work,
      setup,
      first: counts[0],
      second: counts[1],
      third: counts[2],
      steady,
      ms: median(ms.slice(3)),
      lossDiff,
    };
  } finally {
    setDeviceOptimizers(previous);
  }
}

const load0 = loadavg()[0];
const rows: Row[] = [];
for (const [work, make] of [
  [`MLP ${data.mlp.sizes.join('-')}, batch ${data.mlp.X.length}, Adam`, () => mlpStep(data)],
  [
    `PINN ${data.pinn.sizes.join('-')}, ${data.pinn.x.length} points, u_xx by double backward, Adam`,
    () => pinnStep(data),
  ],
] as const) {
  const js = lossesOnJs(make);
  for (const setup of ['optimizer on the device', 'optimizer host loop', 'compiled, optimizer on the device'] as const)
    rows.push(measure(work, make, setup, js));
}

const range = ([lo, hi]: [number, number]) =>
  lo === hi ? lo.toLocaleString('en-US') : `${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')}`;
const L: string[] = [];
L.push(`## Training steps on webgpu, counted (issue 16)`, '');
L.push(
  `Written by \`bench/webgpu-counters.ts\` (${steps} steps each, from the shared initial weights; every call on webgpu, NABLA_SMALL_TENSOR_LIMIT=0) on ${webgpuDevice()}. ` +
    'Counts per step, exact (runtime/backends/gpujs/README.md, "Counters"): kernel dispatches handed to the GPU agent, pipelines it compiled, floats sent host→device and read device→host (the loss read included). ' +
    `Load average (1 min) at the start and end: ${load0.toFixed(1)}, ${loadavg()[0].toFixed(1)} (the ms column moves with it). ` +
    "Steps 4 onward are all alike; a range means they were not. Rows run in order in one process, so a row's compilations count only kernels the rows before it did not build. A compiled step traces at step 1, where its plan builds every kernel it runs, and replays from step 2 (the PINN's x.grad, set from step 2 on, is added to by the plan itself: runtime/backends/gpujs/grad-accumulate.ts). ms: median step time from step 4 on this device (lavapipe is a CPU: this is not a GPU time). Loss diff: the largest relative difference from the js backend's losses over the same steps.",
  '',
);
L.push(
  '| step | setup | dispatches (step 1 / 2 / 3 / after) | compilations (1 / 2 / 3 / after) | floats host→device after | floats device→host after | reads after | ms a step | loss diff vs js |',
);
L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  L.push(
    `| ${r.work} | ${r.setup} | ${r.first.dispatches} / ${r.second.dispatches} / ${r.third.dispatches} / ${range(r.steady.dispatches)} | ${r.first.compilations} / ${r.second.compilations} / ${r.third.compilations} / ${range(r.steady.compilations)} | ` +
      `${range(r.steady.floatsUp)} | ${range(r.steady.floatsDown)} | ${range(r.steady.reads)} | ${r.ms.toFixed(0)} | ${r.lossDiff.toExponential(1)} |`,
  );
}
const pinn = rows.find((r) => r.work.startsWith('PINN') && r.setup.startsWith('compiled'))!;
const met = (ok: boolean) => (ok ? 'yes' : 'no');
L.push('', '| PINN goal, compiled step (after warm-up) | met | measured |', '|---|---|---|');
L.push(
  `| ≤ ${GOALS.dispatches} dispatches a step | ${met(pinn.steady.dispatches[1] <= GOALS.dispatches)} | ${range(pinn.steady.dispatches)} |`,
);
L.push(
  `| ≤ ${GOALS.floatsDown} floats read back a step | ${met(pinn.steady.floatsDown[1] <= GOALS.floatsDown)} | ${range(pinn.steady.floatsDown)} |`,
);
L.push(
  `| no pipeline compilation after the first step | ${met(pinn.second.compilations === 0 && pinn.third.compilations === 0 && pinn.steady.compilations[1] === 0)} | step 2 (the first replay): ${pinn.second.compilations}, step 3: ${pinn.third.compilations}, after: ${range(pinn.steady.compilations)} |`,
);
L.push(
  `| losses equal js's to float32 rounding over ${steps} steps | ${met(pinn.lossDiff < 1e-5)} | largest relative difference ${pinn.lossDiff.toExponential(1)} (float32's unit roundoff: 6.0e-8; 1e-5 taken as the bound) |`,
  '',
);
console.log(L.join('\n'));
process.exit(0);
