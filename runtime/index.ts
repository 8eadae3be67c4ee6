/**
 * Nabla's runtime: tensors, ops, reverse-mode autodiff, tapes, optimizers and models. Usable on its own from
 * TypeScript (and from a tslab notebook): `import * as nb from 'nabla/runtime'`.
 */
import './backends/js';
import './backends/gpujs';
import { webgpuPlan } from './backends/gpujs';
import { registerPlanBuilder } from './compile/backend-plans';
import './methods';
import './op-methods';

export { Tensor, liveTensors, type Origin } from './tensor';
export { liveStorages, trackLive } from './storage';
export type { DType } from './dtype';
export * from './ops';
export { grad, backward, retainGrad, registerHook, type GradOptions, type BackwardOptions, type HookHandle } from './autograd';
export { noGrad, enableGrad, withGrad, mode, Interrupted } from './mode';
export { GradientTape, tape, watch, type TapeOptions } from './tape';
export { jacobian, hessian, vjp, jvp } from './functional';
export { customGrad } from './custom';
export { inplace } from './inplace';
export { assignGrad } from './compile/state';
export { compile, type CompileOptions, type Compiled } from './compile';
// compile() on webgpu keeps the whole step on the GPU (runtime/backends/gpujs/compiled-plan.ts); wired here, above
// both layers, until compiled plans go through a backend capability
registerPlanBuilder('webgpu', webgpuPlan);
export { Tracer, Plan, traceState, replayedHistory } from './compile';
export { NablaError } from './errors';
export { MAX_ELEMENTS, MAX_SEQUENCE, checkAllocation, checkSequence, setTensorMemoryLimit } from './limits';
export { siteState, fmtSite, type Site } from './site';
export { whyNoGrad } from './provenance';
export { setBackend, chooseBackend, backendReport, getBackend, availableBackends, kernelStats, type BackendReport } from './backend';
export type { Node, OpDef } from './graph';
export * from './nn';
export * from './optim';

import { tensor, type CreateOptions } from './ops/creation';
import type { Tensor } from './tensor';

/** A trainable leaf: requires grad, so tapes and optimizers see it without a watch. */
export function param(data: unknown, opts: CreateOptions = {}): Tensor {
  return tensor(data, { ...opts, requiresGrad: true });
}
