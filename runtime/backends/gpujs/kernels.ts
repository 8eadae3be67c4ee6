import type { HostArray } from '../../dtype';
import {
  getKernel,
  registerKernel,
  type KeepingKernelFunc,
  type KernelAttrs,
  type KernelFunc,
  type KernelOutput,
} from '../../kernels';
import type { DeviceData, View } from '../../storage';
import { runPlan } from './cache';
import { admitted, guardStatsOf, needsRecompute } from './guard';
import { isGpuMode, PLANNERS, type Mode, type Plan } from './plans';
import { countUploads } from './resident';
import { bug, gpuBug } from '../../errors';

/**
 * The KernelFuncs of the gpu.js backends: plan the call, run the cached kernel for the plan's key. A call
 * the planner cannot express (an unknown fn, inputs not expanded to the output's shape) or a dtype gpu.js
 * does not compute in runs the js kernel, so calling these directly, past `takes`, is still correct. The
 * GPU modes add guard.ts: inputs a GPU would misread run on js, and a result holding NaN or ±Infinity is
 * recomputed there.
 */
const ACCEPTED = new Set(['float32', 'bool']);

function jsKernel(name: string): KernelFunc {
  const k = getKernel('js', name);
  if (!k) throw bug(`no js kernel '${name}' to fall back to`);
  return k;
}

/** How a mode runs a plan: gpu.js in this thread (cache.ts), or the webgpu facade's agent. */
export type PlanRunner = (plan: Plan) => Float32Array;
/** How a mode runs a plan and leaves the result on its device (webgpu: keepOnAgent), or on the host when it does not keep it. */
export type PlanKeeper = (plan: Plan) => DeviceData | Float32Array;

/** The plan for a call, or null when the js kernel must run it (a dtype, fn or layout gpu.js does not take). */
function planOf(mode: Mode, name: string, inputs: readonly View[], attrs: KernelAttrs, out: KernelOutput) {
  const fits =
    ACCEPTED.has(out.dtype) &&
    inputs.every((v) => ACCEPTED.has(v.dtype)) &&
    (!isGpuMode(mode) || admitted(name, inputs, attrs));
  return fits ? PLANNERS[name](inputs, attrs, out, mode) : null;
}

function running<T>(mode: Mode, name: string, plan: Plan, run: (plan: Plan) => T): T {
  if (mode === 'webgl2' || mode === 'webgpu') countUploads(mode, plan.args);
  try {
    return run(plan);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw gpuBug(`the gpu.js ${mode} backend, kernel '${name}' (${plan.key})`, why);
  }
}

export function gpujsKernel(mode: Mode, name: string, run: PlanRunner = (plan) => runPlan(mode, plan)): KernelFunc {
  // `into` (the compiled path's preallocated buffer) is passed on to the js kernel; a gpu.js result is its own array
  return (inputs, attrs, out, into) => {
    const plan = planOf(mode, name, inputs, attrs, out);
    if (!plan) return jsKernel(name)(inputs, attrs, out, into);
    const result = running(mode, name, plan, run);
    if (isGpuMode(mode) && needsRecompute(result)) {
      guardStatsOf(mode).recomputed++;
      return jsKernel(name)(inputs, attrs, out, into);
    }
    return result;
  };
}

/**
 * The kernel for the op layer on a mode that keeps results on its device: the result stays there, unread,
 * so it is not checked for NaN or ±Infinity as a host result is (README.md, "Resident tensors").
 */
export function keepingKernel(mode: Mode, name: string, keep: PlanKeeper): KeepingKernelFunc {
  return (inputs, attrs, out): HostArray | DeviceData => {
    const plan = planOf(mode, name, inputs, attrs, out);
    if (!plan) return jsKernel(name)(inputs, attrs, out);
    return running(mode, name, plan, keep);
  };
}

/** The kernels every gpu.js mode registers. */
export const GPUJS_KERNELS = Object.keys(PLANNERS);

export function registerGpujsKernels(mode: Mode, run?: PlanRunner, keep?: PlanKeeper): void {
  for (const name of GPUJS_KERNELS) {
    registerKernel({
      kernelName: name,
      backendName: mode,
      kernelFunc: gpujsKernel(mode, name, run),
      keepingFunc: keep && keepingKernel(mode, name, keep),
    });
  }
}
