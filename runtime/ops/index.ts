export * from './binary';
export * from './unary';
export * from './complex';
export * from './reduce';
export * from './reductions';
export * from './shape';
export * from './matmul';
export * from './where';
export * from './creation';
export { asTensor, scalar, type TensorLike } from './util';
export * from './families';

// the registry's rules receive the ops as `o` (the registry itself imports no ops); bound once every module
// above has been evaluated
import { bindRuleOps } from './rule-ops';
import * as binary from './binary';
import * as unary from './unary';
import * as complex from './complex';
import * as reduce from './reduce';
import * as reductions from './reductions';
import * as shape from './shape';
import * as matmul from './matmul';
import * as where from './where';
import * as creation from './creation';
import * as util from './util';
import * as families from './families';
import { tanhBackward } from './tanh-backward';
bindRuleOps({
  ...binary,
  ...unary,
  ...complex,
  ...reduce,
  ...reductions,
  ...shape,
  ...matmul,
  ...where,
  ...creation,
  ...util,
  ...families,
  tanhBackward, // tanh's rule only: not an op of the language
});
