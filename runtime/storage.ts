import type { DType, HostArray } from './dtype';

/**
 * A buffer shared by a tensor and its views. `version` counts in-place writes: a value saved for backward
 * remembers the version it saw, so a later write is detected (PyTorch's version counter).
 */
export class Storage {
  version = 0;
  /** Where the last in-place write came from, for the error that names both places. */
  lastWrite: string | null = null;
  constructor(
    public host: HostArray,
    public readonly dtype: DType,
  ) {
    liveStorages.count++;
    storageRegistry?.register(this, null);
  }
}

/** Live buffer count, for the memory tests (decremented by the garbage collector). */
export const liveStorages = { count: 0 };
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
