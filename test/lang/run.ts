import { createSession, type MimeBundle } from '../../compiler';
import type { NablaSession } from '../../compiler/nabla-session';

/** Runs Nabla source in a fresh (or given) session and collects what it printed. */
export function runNabla(source: string, session: NablaSession = createSession(), file = 'test.nabla') {
  let stdout = '';
  const displays: MimeBundle[] = [];
  const r = session.run(
    source,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t), display: (b) => void displays.push(b) },
    { file },
  );
  return { ...r, stdout, displays, session };
}

/** Numbers in printed text, in order (for comparing printed tensors with fixtures). */
export function numbersIn(text: string): number[] {
  return (text.match(/-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|nan|-?inf/g) ?? []).map(Number);
}
