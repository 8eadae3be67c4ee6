/**
 * Nabla's runtime: tensors, ops, reverse-mode autodiff, tapes, optimizers and models. Usable on its own from
 * TypeScript (and from a tslab notebook): `import * as nb from 'nabla/runtime'`.
 */
import './backends/js';
import './backends/gpujs';
import './methods';
import './op-methods';
// explain's sentences for NaN and zero gradients, registered with backprop (hooks.ts)
import './explain/diagnose';

export { Tensor, liveTensors, type Origin } from './tensor';
export { liveStorages, trackLive } from './storage';
export type { DType } from './dtype';
export * from './ops';
/** The transcendental functions of every number the runtime computes, identical on every engine (backends/js/libm.ts). */
export * as libm from './backends/js/libm';
export {
  grad,
  backward,
  retainGrad,
  registerHook,
  type GradOptions,
  type BackwardOptions,
  type HookHandle,
} from './autograd';
export { noGrad, enableGrad, withGrad, mode, Interrupted } from './mode';
export { GradientTape, tape, watch, type TapeOptions } from './tape';
export { jacobian, hessian, vjp, jvp } from './functional';
export { customGrad } from './custom';
export { inplace } from './inplace';
export { assignGrad, withTrace } from './hooks';
export { RuntimeContext, withContext, enterContext, currentContext } from './context';
export { compile, type CompileOptions, type Compiled } from './compile';
export { Tracer, Plan, traceState, replayedHistory } from './compile';
export { NablaError } from './errors';
export { MAX_ELEMENTS, MAX_SEQUENCE, checkAllocation, checkSequence, setTensorMemoryLimit } from './limits';
export { siteState, fmtSite, type Site } from './site';
export { whyNoGrad } from './provenance';
export {
  setBackend,
  chooseBackend,
  backendReport,
  getBackend,
  availableBackends,
  kernelStats,
  type BackendReport,
} from './backend';
export type { Node, OpDef } from './graph';
export * from './nn';
export * from './optim';

import { tensor, type CreateOptions } from './ops/creation';
import type { Tensor } from './tensor';

/** A trainable leaf: requires grad, so tapes and optimizers see it without a watch. */
export function param(data: unknown, opts: CreateOptions = {}): Tensor {
  return tensor(data, { ...opts, requiresGrad: true });
}
