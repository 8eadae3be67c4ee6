// Runs `nabla check` or `nabla run` on a file in a child process and reads back its wall time,
// CPU time and peak resident memory (usage.mjs).
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const usage = pathToFileURL(fileURLToPath(new URL('./usage.mjs', import.meta.url))).href;

export interface Usage {
  wallS: number;
  cpuS: number;
  peakMB: number;
  exitCode: number | null;
  stderrTail: string;
}

export function measure(command: 'check' | 'run', file: string, timeoutMs = 600_000): Usage {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--import', usage, `${root}bin/nabla.mjs`, command, file], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
    env: { ...process.env, NABLA_BACKEND: process.env.NABLA_BACKEND ?? 'js' },
  });
  const wallS = (performance.now() - start) / 1000;
  const line = /NABLA_USAGE (\{.*\})/.exec(child.stderr ?? '');
  if (!line) throw new Error(`nabla ${command} ${file} reported no usage (status ${child.status}, signal ${child.signal}): ${(child.stderr ?? '').slice(-500)}`);
  const u = JSON.parse(line[1]) as { maxRssKB: number; cpuUs: number };
  return { wallS, cpuS: u.cpuUs / 1e6, peakMB: u.maxRssKB / 1024, exitCode: child.status, stderrTail: (child.stderr ?? '').replace(line[0], '').trim().slice(-500) };
}
