/**
 * Entry of the kernel's worker thread, in plain JavaScript because nothing may be able to load TypeScript
 * here yet: Node 20 does not carry a parent's module hooks into a worker (measured: not from `tsx file.ts`,
 * `node --import tsx` or tsx's register() in the parent; a worker's inherited `--import` did not help
 * either), so the worker registers tsx itself unless a probe shows TypeScript already loads (vitest, a
 * future build to .js). The repository's tsconfig is named explicitly: the kernel's working directory is the
 * notebook's, whose own tsconfig.json must not apply.
 */
import { fileURLToPath } from 'node:url';

const canLoadTs = await import('./ts-probe.ts').then(
  () => true,
  () => false,
);
if (!canLoadTs) {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
}
await import('./worker.ts');
