import './elementwise';
import './reduce';
import './layout';
import { registerBackend } from '../../backend';
import { compileHostPlan } from './plan/host-plan';

/** Plain TypeScript over typed arrays: every kernel, every dtype (float64 too: the reference path). */
registerBackend({
  name: 'js',
  probe: () => null,
  describe: () => 'plain TypeScript loops over typed arrays (also the float64 reference path)',
  compilePlan: compileHostPlan,
});
