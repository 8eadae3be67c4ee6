import { getKernel, registerKernel, type KernelFunc } from '../../kernels';
import { runPlan } from './cache';
import { PLANNERS, type Mode } from './plans';

/**
 * The KernelFuncs of the gpu.js backends: plan the call, run the cached kernel for the plan's key. A call
 * the planner cannot express (an unknown fn, inputs not expanded to the output's shape) or a dtype gpu.js
 * does not compute in runs the js kernel, so calling these directly, past `takes`, is still correct.
 */
const ACCEPTED = new Set(['float32', 'bool']);

function jsKernel(name: string): KernelFunc {
  const k = getKernel('js', name);
  if (!k) throw new Error(`internal error: no js kernel '${name}' to fall back to (this is a bug in Nabla)`);
  return k;
}

export function gpujsKernel(mode: Mode, name: string): KernelFunc {
  const planner = PLANNERS[name];
  return (inputs, attrs, out) => {
    const fits = ACCEPTED.has(out.dtype) && inputs.every((v) => ACCEPTED.has(v.dtype));
    const plan = fits ? planner(inputs, attrs, out, mode) : null;
    if (!plan) return jsKernel(name)(inputs, attrs, out);
    try {
      return runPlan(mode, plan);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new Error(
        `internal error in the gpu.js ${mode} backend, kernel '${name}' (${plan.key}): ${why}. ` +
          `This is a bug in Nabla; NABLA_BACKEND=js avoids it meanwhile.`,
      );
    }
  };
}

/** The kernels every synchronous gpu.js mode registers. */
export const GPUJS_KERNELS = Object.keys(PLANNERS);

export function registerGpujsKernels(mode: Mode): void {
  for (const name of GPUJS_KERNELS) registerKernel({ kernelName: name, backendName: mode, kernelFunc: gpujsKernel(mode, name) });
}
