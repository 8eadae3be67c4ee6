import type { DType, HostArray } from './dtype';
import { bug } from './errors';

/**
 * Values a backend keeps on its device (a GPU buffer): what a Storage holds instead of, or beside, host
 * values. `read` copies them to the host (blocking); `release` frees the device memory and must be called
 * once, when the storage no longer needs them.
 */
export interface DeviceData {
  readonly backend: string;
  /** what a kernel in this thread is passed for it (webgl2: a gpu.js texture); absent when it lives elsewhere */
  readonly handle?: unknown;
  /** elements (float32 lanes) held */
  readonly length: number;
  read(): HostArray;
  release(): void;
}

/**
 * A buffer shared by a tensor and its views. `version` counts in-place writes: a value saved for backward
 * remembers the version it saw, so a later write is detected (PyTorch's version counter).
 *
 * The values live on the host, on a device, or both (ARCHITECTURE principle 3: tensors stay on the device
 * between ops). A kernel result a GPU backend kept has only `device`; reading `host` copies it back once and
 * keeps both. Every in-place write goes through `host` and bumps `version`, which drops the device copy, so
 * the copy a kernel reads is never stale.
 */
let nextStorageId = 1;

export class Storage {
  /** Creation order: a compiled function's trace tells buffers made before it from those made during it. */
  readonly id = nextStorageId++;
  private v = 0;
  private hostValues: HostArray | null;
  private deviceValues: DeviceData | null;
  /** Where the last in-place write came from, for the error that names both places. */
  lastWrite: string | null = null;
  /**
   * Host values that their owner rewrites in place without the version counter (a compiled plan's buffers,
   * written by every replay): a backend must not keep a device copy beside them, since nothing would drop it.
   */
  hostOnly = false;
  /** How many graph nodes hold it among their saved values (runtime/graph-owned.ts). */
  savedBy = 0;
  /** Only graph nodes can reach it: freed by the last of them, it goes back to the pool (graph-owned.ts). */
  graphOwned = false;
  /** Something outside the graph saw it (explain, graph): never recycled. */
  pinned = false;
  constructor(
    host: HostArray | null,
    public readonly dtype: DType,
    device: DeviceData | null = null,
  ) {
    if (!host && !device) throw bug('a Storage needs host or device values');
    this.hostValues = host;
    this.deviceValues = device;
    if (device) deviceRegistry?.register(this, device, this);
    if (liveTracking.on) {
      liveStorages.count++;
      storageRegistry?.register(this, null);
    }
  }

  /** The values on the host, copied back from the device on first use. */
  get host(): HostArray {
    return this.hostValues ?? this.readBack();
  }

  private readBack(): HostArray {
    if (this.released)
      throw bug(
        'a tensor whose buffer was recycled (runtime/grad-recycle.ts) was read afterwards; set NABLA_BUFFER_POOL=0 to run without recycling',
      );
    return (this.hostValues = this.deviceValues!.read());
  }

  /** Its buffer went back to the pool (surrender): nothing may read it. */
  private released = false;

  /**
   * Hands the host values over to be reused (runtime/pool.ts) when the caller knows no tensor will read this
   * storage again; from then on a read is reported as a bug. Null (and nothing changes) for values that are
   * not a plain host array this storage alone owns.
   */
  surrender(): HostArray | null {
    const h = this.hostValues;
    if (!h || this.deviceValues || this.hostOnly || this.released) return null;
    this.hostValues = null;
    this.released = true;
    return h;
  }
  /** Replaces the values (the compiled path's pooled buffers); a device copy no longer matches. */
  set host(values: HostArray) {
    this.hostValues = values;
    this.dropDevice();
  }

  /** The device copy, when one is current. */
  get device(): DeviceData | null {
    return this.deviceValues;
  }
  /** Keeps `device`, a copy of the host values a backend made, beside them until the next write. */
  attachDevice(device: DeviceData): void {
    if (this.deviceValues) throw bug('this storage has a device copy already');
    this.deviceValues = device;
    deviceRegistry?.register(this, device, this);
  }

  /**
   * An in-place write of every value, from values only on a device: this storage takes over `from`'s device
   * values (no copy to the host). `from` is a private copy made for this write and is not used again.
   */
  overwriteWith(from: Storage): void {
    const d = from.deviceValues;
    if (!d || from.hostValues || d.length !== this.length)
      throw bug('overwriteWith needs device-only values of the same length');
    from.deviceValues = null;
    deviceRegistry?.unregister(from);
    const old = this.deviceValues;
    if (old) {
      deviceRegistry?.unregister(this);
      old.release();
    }
    this.hostValues = null;
    this.deviceValues = d;
    deviceRegistry?.register(this, d, this);
    this.v++;
  }

  /** Whether the values are on the host already (reading `host` costs no copy from a device). */
  get onHost(): boolean {
    return this.hostValues !== null;
  }
  /** Stored numbers (float32 lanes: two per complex element), without copying anything to the host. */
  get length(): number {
    return this.hostValues
      ? this.hostValues.length
      : this.deviceValues
        ? this.deviceValues.length
        : this.readBack().length;
  }

  get version(): number {
    return this.v;
  }
  /** An in-place write happened (on the host): the device copy is stale from now on. */
  set version(n: number) {
    this.v = n;
    this.dropDevice();
  }

  private dropDevice(): void {
    const d = this.deviceValues;
    if (!d) return;
    if (!this.hostValues) this.hostValues = d.read(); // never lose the only copy
    this.deviceValues = null;
    deviceRegistry?.unregister(this);
    d.release();
  }
}

/** A device copy is released when its storage is collected (or at once, when a write makes it stale). */
const deviceRegistry =
  typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<DeviceData>((d) => d.release());

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
