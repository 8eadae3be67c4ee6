import type { AdamNumbers, FusedRule, FusedUpdates, SgdNumbers } from '../../optim/device-step';
import type { DeviceData, Storage } from '../../storage';
import type { Tensor } from '../../tensor';
import type { Plan } from './plans';
import { countUploads, gpuResident, type GpuMode } from './resident';
import { bug } from '../../errors';
import { deviceBase } from './layout';

/**
 * The optimizers' update kernels on a GPU mode (runtime/optim/device-step.ts says when they run): one kernel per
 * param and step. gpu.js kernels have one output each (no kernel maps on webgpu), so the kernel writes the
 * param's new values and its new state one after another into one buffer, [param | state], and the caller
 * takes the two parts as the param's and the state's device values (webgpu.ts `keepPartsOnAgent`); the next
 * step reads both from that buffer. For Adam the state is m, v and, with amsgrad, v̂; for SGD with momentum the
 * buffer; SGD without momentum has no state. Each cell computes the whole update of its element (a few flops
 * more than it keeps) and keeps its part.
 *
 * Each kernel follows the host loop's expression order (sgd.ts, adam.ts) in f32. The rule's structure
 * (momentum, nesterov, maximize, weight decay, amsgrad, decoupled) and the param's size are in the source and
 * key; the numbers (lr, betas, the bias corrections of this step, ...) and where each input starts in its
 * buffer go in an argument `h`, so a schedule, the step count, the first step of momentum (`first` is a
 * number too) or the param's values moving into an update's buffer build no new kernel.
 */

const flag = (b: boolean) => (b ? '1' : '0');

/** Where the inputs start in their buffers, the last three numbers of `h`: in0 the param, in1 the gradient, in2 the state. */
const BASES = ['pb', 'gb', 'sb'];

/** The lines that pick the cell's part (0 the param, then the state's parts) and element `j`. */
function partLines(n: number, parts: number): string[] {
  const lines = ['const i = this.thread.x;', 'let j = i;', 'let part = 0;'];
  for (let k = 1; k <= parts; k++) lines.push(`if (i >= ${k * n}) {`, `j = i - ${k * n};`, `part = ${k};`, '}');
  return lines;
}

/** `let d = ...` for the (signed, weight-decayed) gradient at element `j`, as the host loops compute it. */
function gradLines(maximize: boolean, weightDecay: boolean, wdAt: number): string[] {
  const lines = [`let d = ${maximize ? '-' : ''}in1[gb + j];`];
  if (weightDecay) lines.push(`d = d + h[${wdAt}] * in0[pb + j];`);
  return lines;
}

/** The bases' lines, reading them from `h` after its `at` numbers. */
const baseLines = (at: number) => BASES.map((b, k) => `const ${b} = h[${at + k}];`);

interface UpdatePlan {
  key: string;
  body: string[];
  /** the numbers, the bases still to be appended */
  numbers: number[];
  /** state parts (each n values) after the param's */
  parts: number;
}

/** sgd, h = [lr, momentum, 1 − dampening, weightDecay, first, pb, gb, sb]. */
function sgdPlan(rule: Extract<FusedRule, { kind: 'sgd' }>, x: SgdNumbers, n: number): UpdatePlan {
  const numbers = [x.lr, x.momentum, 1 - x.dampening, x.weightDecay, x.first];
  const tag = `${flag(rule.momentum)}${flag(rule.maximize)}${flag(rule.weightDecay)}${flag(rule.nesterov)}|${n}`;
  const parts = rule.momentum ? 1 : 0;
  const body = [...partLines(n, parts), ...baseLines(5), ...gradLines(rule.maximize, rule.weightDecay, 3)];
  if (rule.momentum) {
    body.push('let b = in2[sb + j] * h[1] + h[2] * d;', 'if (h[4] > 0.5) {', 'b = d;', '}');
    body.push(rule.nesterov ? 'd = d + h[1] * b;' : 'd = b;');
    body.push('let r = in0[pb + j] - h[0] * d;', 'if (part > 0.5) {', 'r = b;', '}', 'return r;');
  } else body.push('return in0[pb + j] - h[0] * d;');
  return { key: `optim:sgd|${tag}`, body, numbers, parts };
}

/** adam / adamw, h = [β1, 1 − β1, β2, 1 − β2, weightDecay, −stepSize, bc2Sqrt, eps, 1 − lr·wd, pb, gb, sb]. */
function adamPlan(rule: Extract<FusedRule, { kind: 'adam' }>, x: AdamNumbers, n: number): UpdatePlan {
  const numbers = [
    x.beta1,
    1 - x.beta1,
    x.beta2,
    1 - x.beta2,
    x.weightDecay,
    -x.stepSize,
    x.bc2Sqrt,
    x.eps,
    1 - x.lr * x.weightDecay,
  ];
  const decoupled = rule.decoupled && rule.weightDecay;
  const tag = `${flag(rule.maximize)}${flag(rule.weightDecay && !rule.decoupled)}${flag(rule.amsgrad)}${flag(decoupled)}|${n}`;
  const parts = rule.amsgrad ? 3 : 2;
  const body = [
    ...partLines(n, parts),
    ...baseLines(9),
    ...gradLines(rule.maximize, rule.weightDecay && !rule.decoupled, 4),
    'const m = in2[sb + j] * h[0] + h[1] * d;',
    `const v = in2[sb + ${n} + j] * h[2] + h[3] * d * d;`,
    ...(rule.amsgrad ? [`const s = Math.max(in2[sb + ${2 * n} + j], v);`] : ['const s = v;']),
    decoupled ? 'const x = in0[pb + j] * h[8];' : 'const x = in0[pb + j];',
    'const denom = Math.sqrt(s) / h[6] + h[7];',
    'let r = x + (h[5] * m) / denom;',
    'if (part > 0.5) {',
    'r = m;',
    '}',
    'if (part > 1.5) {',
    'r = v;',
    '}',
    ...(rule.amsgrad ? ['if (part > 2.5) {', 'r = s;', '}'] : []),
    'return r;',
  ];
  return { key: `optim:adam|${tag}`, body, numbers, parts };
}

/**
 * Fused updates on `mode`, running plans with `keep` (the mode's keeper: webgpu's keepOnAgent) and, for an
 * update with state, `keepParts` (webgpu's keepPartsOnAgent). Kernels read `in0` the param, `in1` the gradient,
 * `in2` the state (the gradient again where there is none: every kernel has the same four arguments), `h` the
 * numbers.
 */
export function fusedUpdates(
  mode: GpuMode,
  keep: (plan: Plan) => DeviceData | Float32Array,
  keepParts: (plan: Plan, lengths: readonly number[]) => DeviceData[],
): FusedUpdates {
  const device = (s: Storage): DeviceData => {
    const d = s.device;
    if (!d || d.backend !== mode) throw bug(`an optimizer update on ${mode} got values not on its device`);
    return d;
  };
  return {
    ready: gpuResident,
    holds: (s) => s.device?.backend === mode,
    toDevice(s) {
      const values = s.host as Float32Array;
      const plan: Plan = {
        key: `upload|${values.length}`,
        cells: values.length,
        params: ['in0'],
        body: () => 'return in0[this.thread.x];',
        args: [values],
      };
      countUploads(mode, plan.args);
      const copy = keep(plan);
      if (ArrayBuffer.isView(copy)) throw bug(`the ${mode} backend kept no device copy`);
      s.attachDevice(copy);
    },
    update(rule, numbers, p, g, state) {
      const n = p.length;
      const u =
        rule.kind === 'sgd' ? sgdPlan(rule, numbers as SgdNumbers, n) : adamPlan(rule, numbers as AdamNumbers, n);
      if (u.parts > 0 !== (state !== null) || (state && state.length !== u.parts * n))
        throw bug(`an optimizer update on ${mode} got state that does not fit its rule`);
      const [pd, gd] = [device(p), device((g as Tensor).storage)];
      const sd = state ? device(state) : gd;
      const h = Float32Array.from([...u.numbers, deviceBase(pd), deviceBase(gd) + g.offset, deviceBase(sd)]);
      const plan: Plan = {
        key: u.key,
        cells: (1 + u.parts) * n,
        params: ['in0', 'in1', 'in2', 'h'],
        body: () => u.body.join('\n'),
        args: [pd, gd, sd, h],
      };
      countUploads(mode, plan.args);
      if (!state) {
        const param = keep(plan);
        if (ArrayBuffer.isView(param)) throw bug(`the ${mode} backend gave an optimizer update back on the host`);
        return { param, state: null };
      }
      const [param, newState] = keepParts(plan, [n, u.parts * n]);
      return { param, state: newState };
    },
  };
}
