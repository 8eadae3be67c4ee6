import { createSession } from '../../compiler';
import { runNabla } from './run';

/**
 * Runs a program twice in fresh sessions: as written (loops compile themselves) and with NABLA_AUTO_COMPILE=0,
 * then `explain compile` in the first; returns both outputs and the report.
 */
export function autoVsEager(source: string, scriptArgs?: Map<string, string>) {
  const auto = runNabla(source, createSession({ scriptArgs }));
  const report = runNabla('explain compile', auto.session).stdout;
  const prev = process.env.NABLA_AUTO_COMPILE;
  process.env.NABLA_AUTO_COMPILE = '0';
  try {
    const eager = runNabla(source, createSession({ scriptArgs }));
    return { auto, eager, report };
  } finally {
    if (prev === undefined) delete process.env.NABLA_AUTO_COMPILE;
    else process.env.NABLA_AUTO_COMPILE = prev;
  }
}

/** How many iterations of the loop on `line` replayed a plan, from the report. */
export function replayed(report: string, line: number): number {
  const m = report.match(new RegExp(`:${line} \`[^\`]*\`: (?:not )?compiled: (\\d+) of \\d+ iterations replayed`));
  return m ? Number(m[1]) : 0;
}
