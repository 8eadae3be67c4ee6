// The backend switch: which of runtime/backend.ts's backends run in this page, and why the others do not.
// Every answer comes from the runtime (setBackend's error sentence, backendReport()); the page adds only
// what the browser itself offers (a WebGPU adapter, a WebGL2 context), so a reader sees both sides.
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

export interface BrowserGpu {
  webgpu: string;
  webgl2: string;
  wasm: string;
}

/** What this browser offers, whatever the runtime does with it. */
export async function browserCapabilities(): Promise<BrowserGpu> {
  let webgpu = 'not offered (no navigator.gpu)';
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  if (gpu) {
    try {
      const adapter = await gpu.requestAdapter();
      if (!adapter) webgpu = 'navigator.gpu present, but no adapter answered';
      else {
        const info = adapter.info ?? {};
        const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
        webgpu = `adapter: ${name || 'unnamed'}`;
      }
    } catch (e) {
      webgpu = `adapter request failed: ${(e as Error).message}`;
    }
  }
  let webgl2 = 'not offered';
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (gl) {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      webgl2 = `renderer: ${ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)}`;
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    // left as not offered
  }
  const simd = typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
  const wasm = typeof WebAssembly === 'object' ? `WebAssembly${simd ? ' with SIMD' : ' (no SIMD)'}` : 'no WebAssembly';
  return { webgpu, webgl2, wasm };
}
