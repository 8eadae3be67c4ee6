import { parse, renderDiagnostic } from '../grammar';
import { Compiler } from './compiler';
import { createSession } from './nabla-session';
import type { Output } from './session';

const quiet: Output = { stdout: () => {}, stderr: () => {}, display: () => {} };

/**
 * Every error a source has, without running it (`nabla check`): syntax errors, then compile errors, each
 * rendered with its place. An empty list: the source is fine.
 */
export function checkSource(source: string, file: string): string[] {
  const { program, diagnostics } = parse(source, file);
  const msgs = diagnostics.map((d) => renderDiagnostic(d, source, file));
  if (program && !diagnostics.length) {
    const session = createSession();
    const c = new Compiler(
      { globals: session.globals, builtin: (n) => session.builtins.values.get(n), builtinNames: () => [...session.builtins.values.keys()], out: () => quiet, explain: () => {} },
      file,
      source,
    );
    c.compileProgram(program);
    msgs.push(...c.diagnostics.map((d) => renderDiagnostic({ message: d.message, span: d.node.span, severity: 'error' }, source, file)));
  }
  return msgs;
}
