import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Builds Nabla programs around PyTorch fixture inputs and runs them through the real CLI
 * (`node bin/nabla.mjs run`), so these tests cover the command, the language and the runtime together.
 */
export interface FixtureTensor {
  shape: number[];
  dtype: string;
  data: number[];
}

export const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/torch/${name}.json`, import.meta.url), 'utf8')) as Record<string, any>;

const num = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));

function nest(data: number[], shape: number[]): string {
  if (shape.length === 0) return num(data[0]);
  const step = data.length / shape[0];
  return `[${Array.from({ length: shape[0] }, (_, i) => nest(data.slice(i * step, (i + 1) * step), shape.slice(1))).join(', ')}]`;
}

/** A Nabla expression building the fixture tensor (float64 for real data; complex64 from its parts). */
export function lit(t: FixtureTensor, maker = 'tensor'): string {
  if (t.dtype === 'complex128') {
    const re = t.data.filter((_, i) => i % 2 === 0);
    const im = t.data.filter((_, i) => i % 2 === 1);
    return `complex(tensor(${nest(re, t.shape)}), tensor(${nest(im, t.shape)}))`;
  }
  return `${maker}(${nest(t.data, t.shape)}, dtype="float64")`;
}

/** Flattened values of a fixture tensor (complex as re, im pairs). */
export const values = (t: FixtureTensor) => t.data;

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nabla-fixtures-'));
let n = 0;

/** Runs a program through the CLI; returns exit code, stdout, stderr and the file name used. */
export function runCli(source: string, args: string[] = []) {
  const file = join(dir, `program${++n}.nabla`);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [join(root, 'bin/nabla.mjs'), 'run', file, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, file };
}

/** Lines `KEY value...` printed by a program, as numbers per key (complex prints as re+imj pairs). */
export function printed(stdout: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of stdout.split('\n')) {
    const m = /^(\w+) (.*)$/.exec(line);
    if (!m) continue;
    const nums = (m[2].match(/-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|nan|-?inf/g) ?? []).map(Number);
    out.set(m[1], nums);
  }
  return out;
}
