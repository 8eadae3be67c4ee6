// What a failed run leaves in a cell's editor: a marker at the error's place (hover shows the message) and
// the line tinted, a note's (a caller's) more quietly; a syntax marker already on the line is not doubled.
import * as monaco from 'monaco-editor/editor';
import { CHECK_OWNER } from './check-markers';
import { RUN_OWNER, SYNTAX_OWNER } from './language';
import { utf16Column } from './notebook';

/** Marks a line of a cell as where an error happened (or, for a note, where it was called from). */
export function markRunError(
  editor: monaco.editor.IStandaloneCodeEditor,
  errorLines: monaco.editor.IEditorDecorationsCollection,
  line: number,
  col: number,
  message: string,
  note: boolean,
): void {
  const model = editor.getModel()!;
  const lineText = model.getLineContent(Math.min(line, model.getLineCount()));
  const column = utf16Column(lineText, col);
  const word = model.getWordAtPosition({ lineNumber: line, column });
  const markers = monaco.editor.getModelMarkers({ owner: RUN_OWNER, resource: model.uri });
  const covered = [SYNTAX_OWNER, CHECK_OWNER].some((owner) =>
    monaco.editor.getModelMarkers({ owner, resource: model.uri }).some((m) => m.startLineNumber === line),
  );
  if (!covered) {
    markers.push({
      owner: RUN_OWNER,
      resource: model.uri,
      severity: note ? monaco.MarkerSeverity.Info : monaco.MarkerSeverity.Error,
      message,
      source: 'nabla',
      startLineNumber: line,
      startColumn: column,
      endLineNumber: line,
      endColumn: word ? word.endColumn : column + 1,
    });
    monaco.editor.setModelMarkers(model, RUN_OWNER, markers);
  }
  errorLines.append([
    {
      range: new monaco.Range(line, 1, line, 1),
      options: {
        isWholeLine: true,
        className: note ? 'nabla-note-line' : 'nabla-error-line',
        linesDecorationsClassName: note ? 'nabla-note-gutter' : 'nabla-error-gutter',
        stickiness: 1,
      },
    },
  ]);
}

export function clearRunMarks(
  model: monaco.editor.ITextModel,
  errorLines: monaco.editor.IEditorDecorationsCollection,
): void {
  if (errorLines.length) errorLines.clear();
  monaco.editor.setModelMarkers(model, RUN_OWNER, []);
}
