// The checker's markers in the playground's editors: while a reader types, the session worker checks the
// cell (compiler/check, with the names the session and the cells above define) and its problems show as
// markers beside the syntax ones, with a quick fix for a "did you mean …?". Asked after a pause in typing,
// and dropped when the text changed while the worker was answering.
import * as monaco from 'monaco-editor/editor';
import { LANGUAGE_ID } from './monarch';
import type { CheckDiagnostic } from './protocol';

/** The marker owner of the checker's problems (syntax markers stay under their own owner). */
export const CHECK_OWNER = 'nabla-check';

/** The markers' source: a code action's context gives marker data, which carries no owner. */
const CHECK_SOURCE = 'nabla check';

/** How long typing must pause before the worker is asked (the syntax markers come at once). */
const DEBOUNCE_MS = 300;

export type AskCheck = (code: string, earlier: string[]) => Promise<CheckDiagnostic[]>;

/** The last answer for each model, for the quick fixes. */
const answers = new WeakMap<monaco.editor.ITextModel, CheckDiagnostic[]>();
const timers = new WeakMap<monaco.editor.ITextModel, ReturnType<typeof setTimeout>>();
/** Counts the lints of each model: an answer to an older one is dropped even if the text has not changed since. */
const lints = new WeakMap<monaco.editor.ITextModel, number>();

/**
 * Checks the model's text after a pause, with the sources of the cells above it. With syntax errors the
 * checker would only repeat them, so its markers are cleared instead.
 */
export function scheduleCheck(
  ask: AskCheck,
  model: monaco.editor.ITextModel,
  earlier: () => string[],
  syntaxErrors: number,
): void {
  clearTimeout(timers.get(model));
  // a check already asked must not land after this lint (it may have cleared the markers for a syntax error)
  const lint = (lints.get(model) ?? 0) + 1;
  lints.set(model, lint);
  if (syntaxErrors > 0) return setCheckMarkers(model, []);
  timers.set(
    model,
    setTimeout(() => {
      const version = model.getVersionId();
      ask(model.getValue(), earlier()).then(
        (found) => {
          const current = !model.isDisposed() && model.getVersionId() === version && lints.get(model) === lint;
          if (current) setCheckMarkers(model, found);
        },
        () => undefined, // a restarted session answers nothing; the next edit or run asks again
      );
    }, DEBOUNCE_MS),
  );
}

function setCheckMarkers(model: monaco.editor.ITextModel, found: CheckDiagnostic[]): void {
  answers.set(model, found);
  monaco.editor.setModelMarkers(
    model,
    CHECK_OWNER,
    found.map((d) => {
      const start = model.getPositionAt(d.from);
      const end = model.getPositionAt(Math.max(d.to, d.from + 1));
      return {
        severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        message: d.message,
        source: CHECK_SOURCE,
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      };
    }),
  );
}

/** "Change to 'tanh'" for a marker on a misspelt name whose message suggests names. */
export function registerCheckQuickFixes(): void {
  monaco.languages.registerCodeActionProvider(LANGUAGE_ID, {
    provideCodeActions(model, _range, context) {
      const actions: monaco.languages.CodeAction[] = [];
      for (const marker of context.markers) {
        if (marker.source !== CHECK_SOURCE) continue;
        const range = new monaco.Range(
          marker.startLineNumber,
          marker.startColumn,
          marker.endLineNumber,
          marker.endColumn,
        );
        // only a bare name is replaced: a keyword argument's or an attribute's marker covers more than the name
        if (!/^[A-Za-z_]\w*$/.test(model.getValueInRange(range))) continue;
        const d = answers
          .get(model)
          ?.find(
            (x) => x.message === marker.message && model.getPositionAt(x.from).lineNumber === marker.startLineNumber,
          );
        for (const name of d?.suggestions ?? []) {
          actions.push({
            title: `Change to '${name}'`,
            kind: 'quickfix',
            diagnostics: [marker],
            isPreferred: name === d!.suggestions[0],
            edit: {
              edits: [{ resource: model.uri, versionId: model.getVersionId(), textEdit: { range, text: name } }],
            },
          });
        }
      }
      return { actions, dispose: () => {} };
    },
  });
}
