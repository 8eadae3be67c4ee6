import { allocHost, isComplex, lanes, type DType, type HostArray } from './dtype';
import { valueError } from './errors';
import type { Node } from './graph';
import { contiguousStrides, isContiguous, sizeOf, type Shape } from './shape';
import { siteState, type Site } from './site';
import { liveTracking, Storage, type View } from './storage';
import { formatTensor } from './format';
import { noteEscape } from './provenance';
import { traceState } from './hooks';

let nextId = 1;

/** How a tensor came to be: the op and the source place, kept even when nothing is recorded. */
export interface Origin {
  op: string;
  site: Site | null;
  /** Set when the value was cut off from differentiation here (detach, a comparison, an integer cast...). */
  cut?: string;
}

/** A way a value left the differentiable world (item, tolist), remembered on the tensor it left from. */
export interface Escape {
  how: string;
  site: Site | null;
}

/**
 * Live tensor count for the memory tests, decremented by the garbage collector. Off unless asked for
 * (trackLive): a FinalizationRegistry entry per tensor made collection the largest cost of small eager ops
 * (47% of a profile of 1,000 small ops with backward).
 */
export const liveTensors = { count: 0 };
const tensorRegistry = new FinalizationRegistry<null>(() => void liveTensors.count--);

/**
 * A strided view of a Storage, with PyTorch's autograd fields. Views share storage (and so the version
 * counter); a non-leaf has a `gradFn`, a leaf that requires grad accumulates into `grad`.
 */
export class Tensor implements View {
  readonly id = nextId++;
  requiresGrad = false;
  grad: Tensor | null = null;
  gradFn: Node | null = null;
  /** The leaf's accumulator node, created when first needed. */
  leafNode: Node | null = null;
  retainsGrad = false;
  /** Tapes that watch this tensor (TensorFlow's GradientTape.watch). */
  watchedBy: Set<object> | null = null;
  /** The name the user bound this value to, when the compiler knows it (for explain and graph). */
  name: string | null = null;
  origin: Origin;
  escapes: Escape[] | null = null;

  constructor(
    public storage: Storage,
    public shape: readonly number[],
    public strides: readonly number[],
    public offset: number,
    public readonly dtype: DType,
    op = 'tensor',
  ) {
    this.origin = { op, site: siteState.current };
    if (liveTracking.on) {
      liveTensors.count++;
      tensorRegistry.register(this, null);
    }
  }

  static fromHost(host: HostArray, shape: Shape, dtype: DType, op = 'tensor'): Tensor {
    return new Tensor(new Storage(host, dtype), [...shape], contiguousStrides(shape), 0, dtype, op);
  }

  get size(): number {
    return sizeOf(this.shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get version(): number {
    return this.storage.version;
  }
  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** The values in row-major order as a fresh contiguous array (interleaved re, im for complex). */
  toHost(): HostArray {
    traceState.current?.unreplayable(
      'it reads the values of a tensor on the host (item(), tolist(), print, or an op that needs them, such as indexing with a tensor)',
    );
    const L = lanes(this.dtype);
    const n = this.size;
    const src = this.storage.host;
    if (this.isContiguous) return src.slice(this.offset * L, (this.offset + n) * L);
    const out = allocHost(this.dtype, n);
    const idx = new Array<number>(this.rank).fill(0);
    for (let i = 0; i < n; i++) {
      let p = this.offset;
      for (let d = 0; d < this.rank; d++) p += idx[d] * this.strides[d];
      for (let l = 0; l < L; l++) out[i * L + l] = src[p * L + l];
      for (let d = this.rank - 1; d >= 0; d--) {
        if (++idx[d] < this.shape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Leaves the differentiable world; remembered (on it and what it views) so a missing gradient can name this place. */
  private noteEscape(how: string): void {
    noteEscape(this, how);
  }

  item(): number | [number, number] {
    if (this.size !== 1) {
      throw valueError(
        'item',
        `only a tensor with one element can be converted to a number, but this one has shape [${this.shape.join(', ')}]; index it first, e.g. x[0].item()`,
      );
    }
    this.noteEscape('item()');
    const h = this.toHost();
    return isComplex(this.dtype) ? [h[0], h[1]] : this.dtype === 'bool' ? h[0] : h[0];
  }

  /** Nested arrays of numbers (complex elements as [re, im]). */
  tolist(): unknown {
    this.noteEscape('tolist()');
    const h = this.toHost();
    const complex = isComplex(this.dtype);
    const build = (dim: number, start: number): unknown => {
      if (dim === this.rank)
        return complex ? [h[2 * start], h[2 * start + 1]] : this.dtype === 'bool' ? h[start] !== 0 : h[start];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, start + i * step));
    };
    return build(0, 0);
  }

  toString(): string {
    return formatTensor(this);
  }
}
