import type { Tensor } from '../tensor';
import type { Container, PlanStats } from './plan';
import type { Tracer } from './tracer';

/**
 * What compile() needs of a plan, whoever builds it: the js/wasm plan (./plan.ts) or a backend's own
 * (webgpu: runtime/backends/gpujs/compiled-plan.ts, which keeps every value on the GPU).
 */
export interface RunnablePlan {
  readonly stats: PlanStats;
  /** What a replay runs, as text (NABLA_DEBUG=compile, tests). */
  readonly source: string;
  run(args: readonly (Tensor | null)[]): unknown;
  /** Why this plan does not apply to a call with these arguments, or null. */
  check(args: readonly (Tensor | null)[]): string | null;
}

/** Builds a backend's plan for a trace, or null when the generic plan should run it. */
export type PlanBuilder = (tr: Tracer, result: unknown, containers: readonly Container[]) => RunnablePlan | null;

const builders = new Map<string, PlanBuilder>();

/**
 * A backend compiles traces its own way (the one entry point a backend plugs into compile; the layering
 * work's `fuse?(plan)` backend capability can take it over). Registered at backend registration time.
 */
export function registerPlanBuilder(backend: string, build: PlanBuilder): void {
  builders.set(backend, build);
}

export const planBuilderFor = (backend: string): PlanBuilder | undefined => builders.get(backend);
