// The backend switch, on the session worker's side: which of runtime/backend.ts's backends run here, and
// why the others do not. Every answer comes from the runtime (its probes, backendReport());
// the page adds what the browser itself offers (capabilities.ts), so a reader sees both sides.
import { chooseBackend, kernelStats, setBackend, type BackendReport } from '../../runtime';
import { knownBackendNames, probeBackend } from '../../runtime/devices';

export interface BackendStatus {
  name: string;
  /** Registered in runtime/backend.ts (a build of Nabla has it). */
  registered: boolean;
  /** Its probe passes here: selectable. */
  usable: boolean;
  /** Why not, in the runtime's words; null when usable. */
  why: string | null;
}

/** Probes every backend the runtime knows (runtime/devices.ts probeBackend: data, not a sentence to parse). */
export function backendStatuses(): BackendStatus[] {
  return knownBackendNames().map((name) => {
    const p = probeBackend(name);
    return {
      name,
      registered: p.registered,
      usable: p.ok,
      why: p.ok ? null : p.registered ? p.reason : `not in this build: ${p.reason}`,
    };
  });
}

/** Selects a backend by name, or the automatic choice for 'auto'. Throws the runtime's sentence. */
export function selectBackend(name: string): BackendReport {
  return name === 'auto' ? chooseBackend() : setBackend(name);
}

/** Kernel calls per backend since `from` (a snapshot), for the line under a cell. */
export function kernelCounts(
  from: Map<string, number>,
  fromFallbacks: number,
): { byBackend: Record<string, number>; js: number } {
  const byBackend: Record<string, number> = {};
  for (const [k, v] of kernelStats.byBackend) {
    const d = v - (from.get(k) ?? 0);
    if (d > 0) byBackend[k] = d;
  }
  return { byBackend, js: kernelStats.fallbacks - fromFallbacks };
}

export function snapshotKernels(): { byBackend: Map<string, number>; fallbacks: number } {
  return { byBackend: new Map(kernelStats.byBackend), fallbacks: kernelStats.fallbacks };
}
