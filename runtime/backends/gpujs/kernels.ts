import { getKernel, registerKernel, type KernelFunc } from '../../kernels';
import { runPlan } from './cache';
import { admitted, guardStatsOf, needsRecompute } from './guard';
import { isGpuMode, PLANNERS, type Mode, type Plan } from './plans';

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
  if (!k) throw new Error(`internal error: no js kernel '${name}' to fall back to (this is a bug in Nabla)`);
  return k;
}

/** How a mode runs a plan: gpu.js in this thread (cache.ts), or the webgpu facade's agent. */
export type PlanRunner = (plan: Plan) => Float32Array;

export function gpujsKernel(mode: Mode, name: string, run: PlanRunner = (plan) => runPlan(mode, plan)): KernelFunc {
  const planner = PLANNERS[name];
  const gpu = isGpuMode(mode);
  // `into` (the compiled path's preallocated buffer) is passed on to the js kernel; a gpu.js result is its own array
  return (inputs, attrs, out, into) => {
    const fits = ACCEPTED.has(out.dtype) && inputs.every((v) => ACCEPTED.has(v.dtype)) && (!gpu || admitted(name, inputs, attrs));
    const plan = fits ? planner(inputs, attrs, out, mode) : null;
    if (!plan) return jsKernel(name)(inputs, attrs, out, into);
    let result: Float32Array;
    try {
      result = run(plan);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new Error(
        `internal error in the gpu.js ${mode} backend, kernel '${name}' (${plan.key}): ${why}. ` +
          `This is a bug in Nabla; NABLA_BACKEND=js avoids it meanwhile.`,
      );
    }
    if (gpu && needsRecompute(result)) {
      guardStatsOf(mode).recomputed++;
      return jsKernel(name)(inputs, attrs, out, into);
    }
    return result;
  };
}

/** The kernels every gpu.js mode registers. */
export const GPUJS_KERNELS = Object.keys(PLANNERS);

export function registerGpujsKernels(mode: Mode, run?: PlanRunner): void {
  for (const name of GPUJS_KERNELS) registerKernel({ kernelName: name, backendName: mode, kernelFunc: gpujsKernel(mode, name, run) });
}
