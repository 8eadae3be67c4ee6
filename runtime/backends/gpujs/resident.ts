import type { DeviceData, Storage } from '../../storage';
import type { Plan } from './plans';

/**
 * Whether the GPU modes (webgl2, webgpu) keep op results on the GPU: on by default; NABLA_GPU_RESIDENT=0
 * starts with it off, and `setGpuResident` switches it. Off, every result comes back to the host as it is
 * computed (how both ran before tensors were resident): for comparison and for isolating a bug.
 */
let resident = typeof process === 'undefined' || process.env?.NABLA_GPU_RESIDENT !== '0';

export const gpuResident = (): boolean => resident;

/** Sets whether op results stay on the GPU; returns the previous setting. */
export function setGpuResident(on: boolean): boolean {
  const previous = resident;
  resident = on;
  return previous;
}

/**
 * What crossed between host and GPU, per mode: kept results read back, host arrays sent as kernel inputs, and
 * (webgpu) kernels handed to the GPU agent, each one dispatch there (counted where the request is sent, so
 * an op, a device copy of an upload and an optimizer's update kernel all count; README.md, "Counters").
 */
export const gpuTraffic = {
  webgl2: { reads: 0, floatsRead: 0, uploads: 0, floatsUploaded: 0, dispatches: 0 },
  webgpu: { reads: 0, floatsRead: 0, uploads: 0, floatsUploaded: 0, dispatches: 0 },
};
export type GpuMode = keyof typeof gpuTraffic;

export function countRead(mode: GpuMode, floats: number): void {
  gpuTraffic[mode].reads++;
  gpuTraffic[mode].floatsRead += floats;
}

export function countUploads(mode: GpuMode, args: Plan['args']): void {
  for (const a of args) {
    if (!ArrayBuffer.isView(a)) continue;
    gpuTraffic[mode].uploads++;
    gpuTraffic[mode].floatsUploaded += a.length;
  }
}

/** How a GPU mode leaves a plan's result on the GPU (index.ts registers webgl2's and webgpu's keepers). */
export const keepers: Partial<Record<GpuMode, (plan: Plan) => DeviceData | Float32Array>> = {};

/**
 * Host storages of at least this many values get a device copy the first time a GPU kernel reads them, which
 * later kernels read in place until the next write drops it. Making the copy costs one more dispatch and no
 * more transfer than sending the values with the kernel would; below this size the dispatch costs more
 * than sending them again each time.
 */
export const CACHED_UPLOAD = 4096;

/**
 * The device copy a GPU kernel of `mode` should read for this host storage, made now; null: send the values.
 * `always` (a tensor that requires grad: a parameter, or an input a step differentiates by) skips the size
 * test: a training step reads it every time, and once the optimizer updates it on the device (optim-kernels.ts)
 * kernels read it in place, so reading it in place from the first step on builds each kernel once, not a
 * host-argument variant in the first step and a device-argument one in the second.
 */
export function deviceCopyFor(storage: Storage, mode: string, always = false): DeviceData | null {
  const keep = (mode === 'webgl2' || mode === 'webgpu') && resident ? keepers[mode] : undefined;
  if (!keep || (storage.length < CACHED_UPLOAD && !always) || storage.device || storage.hostOnly) return null;
  const values = storage.host;
  if (!(values instanceof Float32Array)) return null;
  const plan: Plan = {
    key: `upload|${values.length}`,
    cells: values.length,
    params: ['in0'],
    body: () => 'return in0[this.thread.x];',
    args: [values],
  };
  countUploads(mode as GpuMode, plan.args);
  const copy = keep(plan);
  if (ArrayBuffer.isView(copy)) return null;
  storage.attachDevice(copy);
  return copy;
}
