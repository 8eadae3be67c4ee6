import { expect, it } from 'vitest';
import { runnableBackends } from '../runtime/helpers';

/** The stand-in GPU agent (gpu.js cpu kernels behind the real channel); `device` picks how its device behaves. */
export const standIn = (device = 'ready') => new URL(`./standin-agent.ts?device=${device}&delay=0`, import.meta.url);

/**
 * The webgpu agents a test file runs on: the real Dawn where an adapter answers (lavapipe on CI), and the
 * stand-in. Where NABLA_REQUIRE_WEBGPU is set (CI), the file also fails when Dawn found no adapter.
 */
export function webgpuAgents(): string[] {
  const agents = [...(runnableBackends().includes('webgpu') ? ['dawn'] : []), 'stand-in'];
  if (process.env.NABLA_REQUIRE_WEBGPU) {
    it('finds the real Dawn adapter that NABLA_REQUIRE_WEBGPU requires', () => expect(agents).toContain('dawn'));
  }
  return agents;
}
