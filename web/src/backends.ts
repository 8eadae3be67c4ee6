// The backend switch, on the session worker's side: which of runtime/backend.ts's backends run here, and
// why the others do not. Every answer comes from the runtime (setBackend's error sentence, backendReport());
// the page adds what the browser itself offers (capabilities.ts), so a reader sees both sides.
import { availableBackends, backendReport, chooseBackend, kernelStats, setBackend, type BackendReport } from '../../runtime';
import { knownBackendNames } from '../../runtime/backend';

export interface BackendStatus {
  name: string;
  /** Registered in runtime/backend.ts (a build of Nabla has it). */
  registered: boolean;
  /** Its probe passes here: selectable. */
  usable: boolean;
  /** Why not, in the runtime's words; null when usable. */
  why: string | null;
}

/** Probes every backend the runtime knows, then restores the current choice. */
export function backendStatuses(): BackendStatus[] {
  const before = backendReport();
  const registered = new Set(availableBackends());
  const statuses = knownBackendNames().map((name) => {
    try {
      setBackend(name);
      return { name, registered: true, usable: true, why: null };
    } catch (e) {
      return { name, registered: registered.has(name), usable: false, why: reason(name, (e as Error).message) };
    }
  });
  restore(before);
  return statuses;
}

/** The reason part of setBackend's sentence ("backend 'x' cannot run here: REASON"). */
function reason(name: string, message: string): string {
  const m = /cannot run here: (.*)$/s.exec(message) ?? /not available in this build \((.*)\)$/s.exec(message);
  return m ? `${m[0].startsWith('not') ? 'not in this build: ' : ''}${m[1]}` : message.replace(`backend '${name}' `, '');
}

function restore(r: BackendReport): void {
  if (r.why === 'chosen explicitly') setBackend(r.chosen);
  else chooseBackend();
}

/** Selects a backend by name, or the automatic choice for 'auto'. Throws the runtime's sentence. */
export function selectBackend(name: string): BackendReport {
  return name === 'auto' ? chooseBackend() : setBackend(name);
}

/** Kernel calls per backend since `from` (a snapshot), for the line under a cell. */
export function kernelCounts(from: Map<string, number>, fromFallbacks: number): { byBackend: Record<string, number>; js: number } {
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
