/**
 * Builds bench/gpu/kit/ on a development machine: what the GPU machine lacks to run `bench/gpu/run.sh`
 * (ARCHITECTURE.md: it has no Node, and no Vulkan loader where Dawn looks for one).
 *   node.xz          this machine's Node binary, xz-compressed (~24 MB)
 *   modules.tar.xz   node_modules for the bench: tsx and gpu.js with what they need, and the `webgpu`
 *                    package with only its linux-x64 Dawn binary
 *   vulkan/          Debian's libvulkan1 unpacked with dpkg -x (apt-get download needs no root)
 * Run: npx tsx bench/gpu/kit.ts   (then the device tool carries bench/gpu/kit; see bench/gpu/README.md)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const kit = join(root, 'bench/gpu/kit');
rmSync(kit, { recursive: true, force: true });
mkdirSync(kit, { recursive: true });
const sh = (cmd: string, args: string[], cwd = root) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });

// 1. node
sh('bash', ['-c', `xz -T2 -6 -c "${process.execPath}" > "${join(kit, 'node.xz')}"`]);

// 2. the dependency closure of the packages the bench loads
const seen = new Set<string>();
const visit = (name: string) => {
  if (seen.has(name)) return;
  const dir = join(root, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) return; // an optional dependency not installed here
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  for (const d of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(d);
};
['tsx', 'gpu.js', 'webgpu'].forEach(visit);
const entries = [...seen].map((n) => join('node_modules', n));
// webgpu ships Dawn for five platforms (~130 MB; dist/<platform>/dawn.node); the GPU machine needs linux-x64
// only. gpu.js's own copy (0.2.9, node_modules/gpu.js/node_modules/webgpu) is not used: Nabla loads its own.
const other = readdirSync(join(root, 'node_modules/webgpu/dist'))
  .filter((f) => f !== 'linux-x64' && f !== 'linux-x64.dawn.node')
  .map((f) => `--exclude=node_modules/webgpu/dist/${f}`)
  .concat(['--exclude=node_modules/gpu.js/node_modules/webgpu']);
sh('tar', ['-cJf', join(kit, 'modules.tar.xz'), ...other, ...entries]);

// 3. the Vulkan loader
const vk = join(kit, 'vulkan');
mkdirSync(vk);
sh('apt-get', ['download', 'libvulkan1'], kit);
const deb = readdirSync(kit).find((f) => f.startsWith('libvulkan1') && f.endsWith('.deb'))!;
sh('dpkg', ['-x', deb, vk], kit);
rmSync(join(kit, deb));

const size = (p: string): number =>
  statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size;
console.log(`bench/gpu/kit: ${(size(kit) / 2 ** 20).toFixed(1)} MiB (${seen.size} packages: ${[...seen].join(', ')})`);
