// `npx tsx scripts/source-scaling.ts [--sizes 1,2,5,10] [--shapes tiny,lists] [--commands check,run]`:
// how `nabla check` and `nabla run` scale with the size of the source. For each shape
// (scripts/source-scaling/shapes.ts) and size in MB it writes a generated program to a
// temporary file, runs the command in a child process and prints wall time, CPU time and
// peak resident memory; the first row, "empty", is the command on a one-line program: what
// any source costs before its size counts. Run it with `nice` on a shared machine: wall
// time depends on the load, CPU time much less.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measure } from './source-scaling/measure';
import { generate, SHAPES, type Shape } from './source-scaling/shapes';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,2,5,10' },
    shapes: { type: 'string', default: SHAPES.join(',') },
    commands: { type: 'string', default: 'check' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const shapes = values.shapes.split(',') as Shape[];
for (const s of shapes) if (!SHAPES.includes(s)) throw new Error(`unknown shape '${s}' (shapes: ${SHAPES.join(', ')})`);
const commands = values.commands.split(',') as ('check' | 'run')[];

const dir = mkdtempSync(join(tmpdir(), 'nabla-scaling-'));
try {
  console.log('| command | shape | MB | lines | wall s | CPU s | peak MB |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  const row = async (command: string, shape: string, mb: string, lines: number, file: string) => {
    const u = await measure(command as 'check' | 'run', file);
    if (u.exitCode !== 0)
      console.error(`note: nabla ${command} on ${shape} ${mb} MB exited with ${u.exitCode}: ${u.stderrTail}`);
    console.log(
      `| ${command} | ${shape} | ${mb} | ${lines} | ${u.wallS.toFixed(1)} | ${u.cpuS.toFixed(1)} | ${u.peakMB.toFixed(0)} |`,
    );
  };
  const empty = join(dir, 'empty.nabla');
  writeFileSync(empty, 'x = 1\n');
  for (const command of commands) await row(command, 'empty', '0', 1, empty);
  for (const shape of shapes) {
    for (const mb of sizes) {
      const source = generate(shape, mb * 1e6);
      const file = join(dir, `${shape}-${mb}.nabla`);
      writeFileSync(file, source);
      const lines = source.split('\n').length - 1;
      for (const command of commands) await row(command, shape, String(mb), lines, file);
      rmSync(file);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
