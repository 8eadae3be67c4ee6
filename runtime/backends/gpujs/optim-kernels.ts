import type { AdamNumbers, FusedRule, FusedUpdates, SgdNumbers } from '../../optim/device-step';
import type { DeviceData, Storage } from '../../storage';
import type { Tensor } from '../../tensor';
import type { Plan } from './plans';
import { countUploads, gpuResident, type GpuMode } from './resident';
import { bug } from '../../errors';

/**
 * The optimizers' update kernels on a GPU mode (runtime/optim/device-step.ts says when they run). gpu.js
 * kernels have one output each (no kernel maps on webgpu), so an update is two kernels per param: one
 * writes the new state (for Adam m, v and, with amsgrad, v̂, laid one after another in one buffer), the
 * next the new param from the param and that state. SGD without momentum has no state: one kernel.
 *
 * Each kernel follows the host loop's expression order (sgd.ts, adam.ts) in f32. The rule's structure
 * (momentum, nesterov, maximize, weight decay, amsgrad, decoupled) is in the source and key; the numbers
 * (lr, betas, the bias corrections of this step, ...) go in an argument `h`, so a schedule or the step count
 * builds no new kernel, and neither does the first step of momentum (`first` is a number too).
 */

const flag = (b: boolean) => (b ? '1' : '0');

/** `const g = ...` for the (signed, weight-decayed) gradient at index `j`, as the host loops compute it. */
function gradLines(maximize: boolean, weightDecay: boolean, gBase: number, wdAt: number): string[] {
  const g = gBase ? `in1[${gBase} + j]` : 'in1[j]';
  const lines = [`let d = ${maximize ? `-${g}` : g};`];
  if (weightDecay) lines.push(`d = d + h[${wdAt}] * in0[j];`);
  return lines;
}

/** sgd, h = [lr, momentum, 1 − dampening, weightDecay, first]. */
function sgdPlans(rule: Extract<FusedRule, { kind: 'sgd' }>, x: SgdNumbers, n: number, gBase: number) {
  const h = Float32Array.of(x.lr, x.momentum, 1 - x.dampening, x.weightDecay, x.first);
  const tag = `${flag(rule.maximize)}${flag(rule.weightDecay)}${flag(rule.nesterov)}|${n}|${gBase}`;
  const grad = gradLines(rule.maximize, rule.weightDecay, gBase, 3);
  const state = rule.momentum
    ? {
        key: `optim:sgd-state|${tag}`,
        body: [
          'const j = this.thread.x;',
          ...grad,
          'let b = in2[j] * h[1] + h[2] * d;',
          'if (h[4] > 0.5) {',
          'b = d;',
          '}',
          'return b;',
        ],
      }
    : null;
  // the param kernel reads the new buffer (in2) where there is momentum
  const direction = !rule.momentum ? [] : rule.nesterov ? ['d = d + h[1] * in2[j];'] : ['d = in2[j];'];
  const param = {
    key: `optim:sgd-param|${flag(rule.momentum)}${tag}`,
    body: ['const j = this.thread.x;', ...grad, ...direction, 'return in0[j] - h[0] * d;'],
  };
  return { h, state, param };
}

/** adam / adamw, h = [β1, 1 − β1, β2, 1 − β2, weightDecay, −stepSize, bc2Sqrt, eps, 1 − lr·wd]. */
function adamPlans(rule: Extract<FusedRule, { kind: 'adam' }>, x: AdamNumbers, n: number, gBase: number) {
  const h = Float32Array.of(
    x.beta1,
    1 - x.beta1,
    x.beta2,
    1 - x.beta2,
    x.weightDecay,
    -x.stepSize,
    x.bc2Sqrt,
    x.eps,
    1 - x.lr * x.weightDecay,
  );
  const tag = `${flag(rule.maximize)}${flag(rule.weightDecay && !rule.decoupled)}${flag(rule.amsgrad)}${flag(rule.decoupled && rule.weightDecay)}|${n}|${gBase}`;
  // one cell per state value: part 0 is m, 1 is v, 2 is v̂; j the element they belong to
  const state = {
    key: `optim:adam-state|${tag}`,
    body: [
      'const i = this.thread.x;',
      'let j = i;',
      'let part = 0;',
      `if (i >= ${n}) {`,
      `j = i - ${n};`,
      'part = 1;',
      '}',
      ...(rule.amsgrad ? [`if (i >= ${2 * n}) {`, `j = i - ${2 * n};`, 'part = 2;', '}'] : []),
      ...gradLines(rule.maximize, rule.weightDecay && !rule.decoupled, gBase, 4),
      'let r = in2[j] * h[0] + h[1] * d;',
      'if (part > 0.5) {',
      `r = in2[${n} + j] * h[2] + h[3] * d * d;`,
      '}',
      ...(rule.amsgrad ? ['if (part > 1.5) {', `r = Math.max(in2[${2 * n} + j], r);`, '}'] : []),
      'return r;',
    ],
  };
  const param = {
    key: `optim:adam-param|${tag}`,
    body: [
      'const j = this.thread.x;',
      rule.decoupled && rule.weightDecay ? 'const x = in0[j] * h[8];' : 'const x = in0[j];',
      `const s = in2[${rule.amsgrad ? 2 * n : n} + j];`,
      'const denom = Math.sqrt(s) / h[6] + h[7];',
      'return x + (h[5] * in2[j]) / denom;',
    ],
  };
  return { h, state, param };
}

/**
 * Fused updates on `mode`, running plans with `keep` (the mode's keeper: webgpu's keepOnAgent). Kernels
 * read `in0` the param, `in1` the gradient, `in2` the state (old in the state kernel, new in the param
 * kernel), `h` the numbers.
 */
export function fusedUpdates(mode: GpuMode, keep: (plan: Plan) => DeviceData | Float32Array): FusedUpdates {
  const run = (key: string, body: string[], cells: number, args: Plan['args']): DeviceData => {
    const plan: Plan = { key, cells, params: ['in0', 'in1', 'in2', 'h'], body: () => body.join('\n'), args };
    countUploads(mode, args);
    const out = keep(plan);
    if (ArrayBuffer.isView(out)) throw bug(`the ${mode} backend gave an optimizer update back on the host`);
    return out;
  };
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
      const plans =
        rule.kind === 'sgd'
          ? sgdPlans(rule, numbers as SgdNumbers, n, g.offset)
          : adamPlans(rule, numbers as AdamNumbers, n, g.offset);
      const [pd, gd] = [device(p), device((g as Tensor).storage)];
      // a kernel with no state reads the gradient in in2's place: every kernel has the same four arguments
      const newState =
        plans.state && state
          ? run(plans.state.key, plans.state.body, state.length, [pd, gd, device(state), plans.h])
          : null;
      const param = run(plans.param.key, plans.param.body, n, [pd, gd, newState ?? gd, plans.h]);
      return { param, state: newState };
    },
  };
}
