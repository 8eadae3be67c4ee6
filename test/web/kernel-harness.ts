// A worker for the browser tests: runs the kernel table of test/backends/kernel-cases.ts through the
// registry (runKernel, so takes() and its guard are in the path) on one backend, compares each result with
// the js kernel's, and answers with counts. test/web/playground.test.ts bundles it next to the built
// playground (web/build.ts buildBrowserModule) and starts it in the playground's page, connected to the
// page's GPU worker (gpu.worker.js) the way the session worker is.
import '../../runtime';
import { kernelStats, runKernel, setBackend } from '../../runtime/backend';
import {
  attachWebGPUAgent,
  guardStats,
  kernelClasses,
  setSmallTensorLimit,
  webgpuAgentStats,
} from '../../runtime/backends/gpujs';
import { getKernel } from '../../runtime/kernels';
import { kernelCases, largeCases, type KernelCase } from '../backends/kernel-cases';
import { firstMiss } from '../backends/layouts';

export interface HarnessRequest {
  backend: string;
  table: 'finite' | 'specials' | 'large';
  /** the shapes of the elementwise cases (kernel-cases.ts SHAPES when absent) */
  shapes?: number[][];
}

export interface HarnessReport {
  backend: string;
  table: string;
  cases: number;
  /** calls the backend ran (the rest went to js: takes() declined them) */
  onBackend: number;
  misses: string[];
  /** the gpu.js kernel classes that ran: WebGL2Kernel / WebGPUKernel for the GPU modes, never CPUKernel */
  classes: string[];
  guard: { declined: number; recomputed: number } | null;
  ms: number;
}

function runTable(req: HarnessRequest, cases: KernelCase[]): HarnessReport {
  setBackend(req.backend);
  setSmallTensorLimit(0);
  const guardBefore = { ...(guardStats.get(req.backend) ?? { declined: 0, recomputed: 0 }) };
  const t0 = performance.now();
  let onBackend = 0;
  const misses: string[] = [];
  for (const c of cases) {
    const want = getKernel('js', c.name)!(c.inputs, c.attrs, c.out);
    const before = kernelStats.byBackend.get(req.backend) ?? 0;
    let miss: string | null;
    try {
      miss = firstMiss(runKernel(c.name, c.inputs, c.attrs, c.out), want, c.rtol, c.atol);
    } catch (e) {
      miss = `threw ${(e as Error).message}`;
    }
    if ((kernelStats.byBackend.get(req.backend) ?? 0) > before) onBackend++;
    if (miss) misses.push(`${c.label}: ${miss}`);
  }
  const ms = Math.round(performance.now() - t0);
  const g = guardStats.get(req.backend);
  const classes =
    req.backend === 'webgpu'
      ? (webgpuAgentStats()?.classes ?? [])
      : [...new Set([...kernelClasses(req.backend as 'webgl2').values()].map(String))];
  return {
    backend: req.backend,
    table: req.table,
    cases: cases.length,
    onBackend,
    misses: misses.slice(0, 40),
    classes,
    guard: g
      ? { declined: g.declined - guardBefore.declined, recomputed: g.recomputed - guardBefore.recomputed }
      : null,
    ms,
  };
}

const tables: Record<HarnessRequest['table'], (r: HarnessRequest) => KernelCase[]> = {
  finite: (r) => kernelCases({ specials: false, shapes: r.shapes }),
  specials: (r) => kernelCases({ specials: true, shapes: r.shapes }),
  large: () => largeCases(),
};

self.onmessage = (e: MessageEvent<HarnessRequest | { gpuPort: MessagePort }>) => {
  const post = (m: unknown) => (self as unknown as Worker).postMessage(m);
  if ('gpuPort' in e.data) {
    attachWebGPUAgent(e.data.gpuPort);
    return;
  }
  try {
    post(runTable(e.data, tables[e.data.table](e.data)));
  } catch (err) {
    post({ error: String((err as Error)?.stack ?? err) });
  }
};
