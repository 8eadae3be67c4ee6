import type { DType, HostArray } from './dtype';

/**
 * A buffer shared by a tensor and its views. `version` counts in-place writes: a value saved for backward
 * remembers the version it saw, so a later write is detected (PyTorch's version counter).
 */
let nextStorageId = 1;

export class Storage {
  /** Creation order: a compiled function's trace tells buffers made before it from those made during it. */
  readonly id = nextStorageId++;
  version = 0;
  /** Where the last in-place write came from, for the error that names both places. */
  lastWrite: string | null = null;
  constructor(
    public host: HostArray,
    public readonly dtype: DType,
  ) {
    if (liveTracking.on) {
      liveStorages.count++;
      storageRegistry?.register(this, null);
    }
  }
}

/** Live buffer count, for the memory tests (decremented by the garbage collector); counted only under trackLive. */
export const liveStorages = { count: 0 };
export const liveTracking = { on: typeof process !== 'undefined' && !!process.env?.NABLA_TRACK_LIVE };

/**
 * Counts live tensors and storages from now on (liveTensors, liveStorages), or stops counting. Objects made
 * while counting was off are not counted, so compare counts taken while it is on. Also NABLA_TRACK_LIVE=1.
 */
export function trackLive(on: boolean): void {
  liveTracking.on = on;
}

/** The id the next Storage will get. */
export const storageMark = () => nextStorageId;
const storageRegistry =
  typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<null>(() => void liveStorages.count--);

/** What a kernel sees of a tensor: a strided window onto a storage. */
export interface View {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}
