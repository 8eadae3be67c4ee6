// Runs `nabla check` or `nabla run` on a file in a child process and reads back its wall time,
// CPU time and peak resident memory (usage.mjs).
import { spawn } from 'node:child_process';
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

/** Asynchronous, so that a test runner's own messages keep flowing while the child works. */
export async function measure(command: 'check' | 'run', file: string, timeoutMs = 600_000): Promise<Usage> {
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', usage, `${root}bin/nabla.mjs`, command, file], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: timeoutMs,
    env: { ...process.env, NABLA_BACKEND: process.env.NABLA_BACKEND ?? 'js' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  // keep the tail only: a source full of errors prints a line for each
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const exitCode = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done(code));
  });
  const wallS = (performance.now() - start) / 1000;
  const line = /NABLA_USAGE (\{.*\})/.exec(stderr);
  if (!line) throw new Error(`nabla ${command} ${file} reported no usage (status ${exitCode}): ${stderr.slice(-500)}`);
  const u = JSON.parse(line[1]) as { maxRssKB: number; cpuUs: number };
  return {
    wallS,
    cpuS: u.cpuUs / 1e6,
    peakMB: u.maxRssKB / 1024,
    exitCode,
    stderrTail: stderr.replace(line[0], '').trim().slice(-500),
  };
}
