/**
 * Splits `nabla run FILE --backend cpu --steps 500 --lr=1e-3` into the command's own options and the
 * script's arguments (read in the script by args(name, default)). The command's options are few and
 * fixed, so node's util.parseArgs handles them; everything else is passed through to the script.
 */
import { parseArgs } from 'node:util';

export interface RunArgs {
  positionals: string[];
  options: Record<string, string | boolean | undefined>;
  scriptArgs: Map<string, string>;
}

const OWN = {
  backend: { type: 'string' as const },
  help: { type: 'boolean' as const, short: 'h' },
  version: { type: 'boolean' as const, short: 'v' },
  'explain-compile': { type: 'boolean' as const },
};

export function splitArgs(argv: string[]): RunArgs {
  const own: string[] = [];
  const scriptArgs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m || m[1] in OWN) {
      own.push(a);
      if (m && m[2] === undefined && OWN[m[1] as keyof typeof OWN]?.type === 'string' && i + 1 < argv.length)
        own.push(argv[++i]);
      continue;
    }
    const value = m[2] ?? (i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : 'true');
    scriptArgs.set(m[1].replace(/-/g, '_'), value);
  }
  const { values, positionals } = parseArgs({ args: own, options: OWN, allowPositionals: true, strict: true });
  return { positionals, options: values, scriptArgs };
}
