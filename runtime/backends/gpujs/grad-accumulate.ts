import { REBIND_GRAD } from '../../hooks';
import { contiguousStrides, isContiguous, sameShape } from '../../shape';
import type { Tensor } from '../../tensor';
import type { KernelInstr, TraceRecord, ViewRef } from '../../trace';
import type { FusedKernel } from './compiled-plan';

/**
 * A .grad that a compiled step accumulates into, none when it was traced (README.md, "Compiled plans on
 * webgpu"). A PINN step differentiates by its input points x, whose .grad no one zeroes: backward sets it at
 * the first call and adds to it from the second on. compile() would trace that second call again (the .grad
 * guard), and the second trace builds new kernels at step 2; instead the webgpu plan of the first trace adds
 * the .grad there is now to the value the trace assigned, in one generated kernel built with the others, as
 * backward does eagerly (`x.grad = x.grad + g`, PyTorch's AccumulateGrad).
 *
 * Only where that is exactly eager's answer: the trace assigned the holder a fresh value (a `copy` kernel's,
 * as backward's first accumulation makes) that nothing but that one `.grad = ...` reads (no kernel, no other
 * effect, not the result), so the sum is seen only through the .grad; and at the call the .grad there is has
 * the same shape and dtype, contiguous from offset 0. Anything else fails the plan's check, and compile()
 * traces again as before.
 */
export interface GradAccumulation {
  /** the trace's holder (a replay maps an argument to the call's) */
  holder: Tensor;
  /** the slot of the value the trace assigned to holder.grad */
  slot: number;
  /** the `.grad = ...` effect that assigns it */
  at: number;
  /** the extra slot the .grad there was before the call is put in */
  prevSlot: number;
  /** prev + value, into the value's slot */
  fk: FusedKernel;
}

/** The accumulations a webgpu plan can do itself; `extraSlot` numbers the slots it adds after the trace's. */
export function gradAccumulations(
  tr: TraceRecord,
  readers: Map<number, { at: number; view: ViewRef | null }[]>,
  resultSlots: ReadonlySet<number>,
): GradAccumulation[] {
  const found: GradAccumulation[] = [];
  let extra = tr.slots.length;
  for (const guard of tr.gradGuards) {
    if (guard.was !== null) continue;
    const now = guard.holder.grad; // what the trace left there
    if (!now || now.dtype !== 'float32' || now.offset !== 0 || !isContiguous(now.shape, now.strides)) continue;
    const slot = tr.knownSlot(now.storage);
    if (slot === undefined || tr.slots[slot].kind !== 'tmp' || resultSlots.has(slot)) continue;
    if (tr.slots[slot].length !== now.size) continue;
    const producer = tr.instrs.find((ins) => ins.k === 'kernel' && ins.out === slot) as KernelInstr | undefined;
    const uses = readers.get(slot) ?? [];
    const only = uses.length === 1 ? tr.instrs[uses[0].at] : null;
    if (producer?.name !== 'copy' || !only || only.k !== 'effect' || only.label !== REBIND_GRAD) continue;
    const ref = (s: number): ViewRef => ({
      slot: s,
      shape: [...now.shape],
      strides: contiguousStrides(now.shape),
      offset: 0,
      dtype: 'float32',
    });
    const prevSlot = extra++;
    const out = extra++;
    const member: KernelInstr = {
      k: 'kernel',
      name: 'binary',
      backend: 'webgpu',
      inputs: [ref(prevSlot), ref(slot)],
      attrs: { fn: 'add' },
      out,
      shape: [...now.shape],
      dtype: 'float32',
    };
    found.push({
      holder: guard.holder,
      slot,
      at: uses[0].at,
      prevSlot,
      fk: { members: [member], out, reads: member.inputs, scalars: new Float32Array(0), label: 'add (.grad += ...)' },
    });
  }
  return found;
}

/** Whether the .grad there is at a call fits an accumulation (else the plan does not apply: compile() traces again). */
export function accumulatesInto(a: GradAccumulation, grad: Tensor | null): boolean {
  const value = a.fk.members[0].inputs[1];
  return (
    grad === null ||
    (grad.dtype === 'float32' &&
      grad.offset === 0 &&
      sameShape(grad.shape, value.shape) &&
      isContiguous(grad.shape, grad.strides))
  );
}
