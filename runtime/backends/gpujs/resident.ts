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

/** What crossed between host and GPU, per mode: kept results read back, and host arrays sent as kernel inputs. */
export const gpuTraffic = {
  webgl2: { reads: 0, floatsRead: 0, uploads: 0, floatsUploaded: 0 },
  webgpu: { reads: 0, floatsRead: 0, uploads: 0, floatsUploaded: 0 },
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
