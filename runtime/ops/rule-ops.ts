import type * as Ops from './index';
import type { tanhBackward } from './tanh-backward';
import { bug } from '../errors';

/**
 * The runtime's op namespace as backward rules call it. A rule may need an op whose file imports the rule's
 * own: binary, where and shape sum a broadcast gradient back with reduce.ts's sumTo, and reduce imports
 * binary and shape for its own ops. Importing it would close a circle, so such rules reach it here, through
 * the namespace runtime/ops/index.ts binds once every op module has loaded (rules run only after that). The
 * registry's rules receive the same namespace as `o` (the registry imports no ops).
 */
export type RuleOps = typeof Ops & { tanhBackward: typeof tanhBackward };

let bound: RuleOps | null = null;

export function bindRuleOps(namespace: RuleOps): void {
  bound = namespace;
}

export function ruleOps(): RuleOps {
  if (!bound) throw bug('a backward rule ran before runtime/ops/index.ts bound the ops');
  return bound;
}
