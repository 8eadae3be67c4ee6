import { runKernel } from '../backend';
import { allocHost, type HostArray } from '../dtype';
import { writeInto } from '../host-copy';
import type { PlanCompiler } from '../plan-step';
import { slotsRead, slotsTouched, type Resolver } from '../trace';

/**
 * The plan step of a backend without a plan compiler (Backend.compilePlan): each kernel of the trace called
 * in order, on the backend, into buffers allocated once (a tmp's buffer serves a later tmp of the same dtype
 * and length once its last reader has run), writes and effects in between. Nothing fused, nothing generated:
 * each call computes what it computed eagerly.
 */
export const opByOp: PlanCompiler = (input) => {
  const { slots, instrs, escapes, restore } = input;
  const T = input.storages;
  const lastUse = new Map<number, number>();
  instrs.forEach((ins, i) => {
    for (const s of slotsRead(ins)) lastUse.set(s, i);
  });

  const pool = new Map<string, HostArray[]>();
  const keyOf = (s: number) => `${slots[s].dtype}${slots[s].length}`;
  const steps: ((r: Resolver) => void)[] = [];
  const lines: string[] = [];
  let kernels = 0;
  let effects = 0;
  let buffers = 0;
  let bufferBytes = 0;
  instrs.forEach((ins, i) => {
    if (ins.k === 'kernel') {
      kernels++;
      const slot = slots[ins.out];
      let buf = escapes.has(ins.out) ? undefined : pool.get(keyOf(ins.out))?.pop();
      if (!buf) {
        buf = allocHost(slot.dtype, slot.length);
        buffers++;
        bufferBytes += buf.byteLength;
      }
      const out = T[ins.out];
      out.host = buf;
      const views = ins.inputs.map((v) => input.view(v));
      const shape = { shape: ins.shape, dtype: ins.dtype };
      // a kernel that ignores `into` (another backend's) returns its own array: copied into the plan's buffer
      steps.push(() => {
        const h = runKernel(ins.name, views, ins.attrs, shape, out.host);
        if (h !== out.host) out.host.set(h);
      });
      lines.push(`T[${ins.out}] = ${ins.name}(${ins.inputs.map((v) => `T[${v.slot}]`).join(', ')})`);
    } else if (ins.k === 'write') {
      const dst = input.view(ins.dst);
      const src = input.view(ins.src);
      steps.push(() => {
        writeInto(dst, src);
        dst.storage.version++;
      });
      lines.push(`T[${ins.dst.slot}] <- T[${ins.src.slot}]`);
    } else {
      effects++;
      steps.push(ins.replay);
      lines.push(`effect: ${ins.label.replace(/\n/g, ' ')}`);
    }
    // buffers whose last reader this was serve later tmps
    const touched = slotsTouched(ins);
    for (const s of new Set(touched)) {
      if (slots[s].kind !== 'tmp' || escapes.has(s) || (lastUse.get(s) ?? -1) > i) continue;
      const list = pool.get(keyOf(s)) ?? [];
      list.push(T[s].host);
      pool.set(keyOf(s), list);
    }
  });

  return {
    source: lines.join('\n'),
    stats: { kernels, fusedGroups: 0, wasmGroups: 0, fusedOps: 0, effects, buffers, bufferBytes },
    run(resolver) {
      for (const r of restore) T[r.slot].host.set(r.values);
      for (const step of steps) step(resolver);
    },
  };
};
