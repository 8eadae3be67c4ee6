import { writeInto } from './backends/js/layout';
import { allocHost, type HostArray } from './dtype';
import { contiguousStrides, sizeOf } from './shape';
import { Storage, type View } from './storage';

/**
 * Copies between views of host memory, for the layers above the core that name no backend (compile/'s plans:
 * every storage a plan holds is host memory). The js backend's writeInto is how the core writes one view into
 * another (inplace.ts does the same).
 */
export { writeInto };

/** The values of a view, row-major, as a fresh contiguous host array. */
export function copyOfView(v: View): HostArray {
  const out = allocHost(v.dtype, sizeOf(v.shape));
  writeInto(
    {
      storage: new Storage(out, v.dtype),
      shape: v.shape,
      strides: contiguousStrides(v.shape),
      offset: 0,
      dtype: v.dtype,
    },
    v,
  );
  return out;
}
