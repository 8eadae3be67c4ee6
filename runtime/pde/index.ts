/** Helpers for fitting PDEs: point sampling in a box, residual-based refinement, the Burgers reference solution. */
export {
  sampleUniform,
  latinHypercube,
  sobol,
  halton,
  sampleBoundary,
  sampleInitial,
  rar,
  rad,
  fromValues,
  SOBOL_MAX_DIM,
  type BoxOptions,
} from './sampling';
export { gaussHermite, burgersExact } from './burgers';
