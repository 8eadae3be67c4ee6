/**
 * The kernel and the playground say the same about the language (grammar/language-info.ts): a notebook the
 * playground exports and one the kernel writes carry one language_info and one kernelspec.
 */
import { describe, expect, it } from 'vitest';
import { kernelInfo, NABLA_VERSION } from '../../kernel/info';
import { kernelJson } from '../../kernel/install';
import { newCell, toIpynb } from '../../web/src/notebook';

describe('language_info', () => {
  const kernel = kernelInfo().language_info as Record<string, unknown>;
  const exported = toIpynb({ cells: [newCell('x = 1')], backend: null }).metadata as Record<
    string,
    Record<string, unknown>
  >;

  it('is the same in the kernel_info_reply and in the playground export, the version aside', () => {
    const { version, ...rest } = kernel;
    expect(version).toBe(NABLA_VERSION);
    expect(exported.language_info).toEqual(rest);
    expect(rest).toMatchObject({ name: 'nabla', file_extension: '.nabla', mimetype: 'text/x-nabla' });
  });

  it('names the kernel the export asks for as kernel.json declares it', () => {
    const spec = kernelJson('/usr/bin/node');
    expect(exported.kernelspec).toEqual({ name: 'nabla', display_name: spec.display_name, language: spec.language });
  });
});
