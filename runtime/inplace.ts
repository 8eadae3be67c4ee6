import { edgeOf, needsGrad } from './engine';
import { NablaError } from './errors';
import { mode } from './mode';
import { cast } from './ops/complex';
import { compute, rawExpand } from './ops/util';
import { lanes } from './dtype';
import { broadcastShapes, fmtShape, sameShape } from './shape';
import { fmtSite, siteState } from './site';
import type { Tensor } from './tensor';

const VIEW_OPS = new Set(['index', 'reshape', 'permute', 'expand']);
import { writeInto } from './backends/js/layout';
import { traceState } from './hooks';

/**
 * `x += e` and friends: the result is computed out of place, then written into x's storage, whose version is
 * bumped. A value saved for backward therefore notices the write (graph.ts), and x's history is rebased onto
 * the new node, as PyTorch does for in-place ops on non-leaves.
 */
export function inplace(x: Tensor, compute_: (snapshot: Tensor) => Tensor, opName: string): Tensor {
  if (mode.gradEnabled && x.isLeaf && x.requiresGrad) {
    throw new NablaError(
      `${opName}: '${x.name ?? 'this tensor'}' is a leaf that requires grad, and updating it in place would corrupt its gradient; do the update inside no_grad { ... } (as optimizers do)`,
      opName,
      'InPlaceError',
    );
  }
  // recorded ops must see the old value, which the write is about to replace
  const recording = mode.gradEnabled && needsGrad(x);
  if (recording && x.gradFn && VIEW_OPS.has(x.gradFn.op.name)) {
    // the base's history would not see the write (PyTorch rebases it through CopySlices); refuse, never mislead
    throw new NablaError(
      `${opName}: this tensor is a view (${x.gradFn.op.name}) of a value that is part of a recorded computation, and updating it in place would give wrong gradients; build a new tensor instead (e.g. with where(...) or concat(...)), or do the update inside no_grad { ... }`,
      opName,
      'InPlaceError',
    );
  }
  const before = recording ? snapshot(x) : x;
  let result = compute_(before);
  if (!sameShape(broadcastShapes(result.shape, x.shape) ?? [], x.shape)) {
    throw new NablaError(
      `${opName}: the result has shape ${fmtShape(result.shape)}, which cannot be written into a tensor of shape ${fmtShape(x.shape)}`,
      opName,
      'ShapeError',
    );
  }
  if (result.dtype !== x.dtype) result = cast(result, x.dtype);
  const src = rawExpand(result, x.shape);
  traceState.current?.write(x, src);
  if (!writeOnDevice(x, result)) {
    writeInto(x, src);
    x.storage.version++;
  }
  x.storage.lastWrite = `${opName}${siteState.current ? ' at ' + fmtSite(siteState.current) : ''}`;
  if (result.gradFn && sameShape(result.shape, x.shape)) {
    x.gradFn = result.gradFn;
    x.requiresGrad = true;
  }
  return x;
}

/**
 * A write of all of x's storage from values only on the GPU stays there: x's storage takes over a device copy
 * of the result (a GPU copy kernel: the result's own buffer may be shared) instead of both coming back to the
 * host. False when the write is partial, traced for compile, or the values are on the host anyway.
 */
function writeOnDevice(x: Tensor, result: Tensor): boolean {
  const st = x.storage;
  if (traceState.current || !result.storage.device || result.storage.onHost) return false;
  if (!sameShape(result.shape, x.shape) || !x.isContiguous || x.offset !== 0 || st.length !== x.size * lanes(x.dtype))
    return false;
  const copy = compute('copy', [result], {}, x.shape, x.dtype, 'copy');
  if (!copy.storage.device || copy.storage.onHost) {
    // the copy ran on the host after all: write its values the ordinary way
    writeInto(x, copy);
    st.version++;
    return true;
  }
  st.overwriteWith(copy.storage);
  return true;
}

/** The old value in a fresh buffer, keeping x's place in the graph. */
function snapshot(x: Tensor): Tensor {
  const s = compute('copy', [x], {}, x.shape, x.dtype, x.origin.op);
  s.gradFn = x.gradFn;
  if (!x.gradFn) s.leafNode = edgeOf(x);
  s.requiresGrad = x.requiresGrad;
  s.watchedBy = x.watchedBy;
  return s;
}
