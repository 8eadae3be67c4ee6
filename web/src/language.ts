// Nabla in Monaco: the generated Monarch tokenizer, diagnostics as markers while typing (grammar's parse,
// the same parser and recovery the compiler runs), and completion and hover from the session's builtin
// table and globals (Session.complete / Session.inspect, the calls the Jupyter kernel answers with).
import * as monaco from 'monaco-editor/editor';
import { KEYWORDS, parse } from '../../grammar';
import type { NablaSession } from '../../compiler';
import { languageConfiguration, LANGUAGE_ID, monarchLanguage } from './monarch';
import { codePointOffset, utf16Offset } from './notebook';

/** Marker owners: syntax while typing, and the places of the last run's error. */
export const SYNTAX_OWNER = 'nabla';
export const RUN_OWNER = 'nabla-run';

export function registerNabla(session: () => NablaSession): void {
  monaco.languages.register({ id: LANGUAGE_ID, extensions: ['.nabla'], aliases: ['Nabla', 'nabla'], mimetypes: ['text/x-nabla'] });
  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, monarchLanguage({ builtins: [...session().builtins.defs.keys()] }));
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, languageConfiguration());
  monaco.editor.defineTheme('nabla-light', {
    base: 'vs',
    inherit: true,
    rules: [
      { token: 'keyword', foreground: 'af00db', fontStyle: 'bold' },
      { token: 'predefined', foreground: '795e26' },
      { token: 'number', foreground: '098658' },
      { token: 'string', foreground: 'a31515' },
      { token: 'comment', foreground: '6a8759', fontStyle: 'italic' },
      { token: 'operator', foreground: '0451a5' },
      { token: 'delimiter', foreground: '444444' },
      { token: 'identifier', foreground: '001080' },
      { token: 'invalid', foreground: 'cd3131' },
    ],
    colors: { 'editor.background': '#fbfbfd', 'editorLineNumber.foreground': '#b0b0b8' },
  });

  const keywords = new Set(KEYWORDS);
  monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: ['.'],
    provideCompletionItems(model, position) {
      const code = model.getValue();
      const cursor = codePointOffset(code, model.getOffsetAt(position));
      const s = session();
      let c;
      try {
        c = s.complete(code, cursor);
      } catch {
        return { suggestions: [] };
      }
      const start = model.getPositionAt(utf16Offset(code, c.start));
      const range = new monaco.Range(start.lineNumber, start.column, position.lineNumber, position.column);
      const suggestions = c.matches.map((m, i) => {
        const builtin = s.builtins.defs.get(m);
        const kind = keywords.has(m)
          ? monaco.languages.CompletionItemKind.Keyword
          : builtin
            ? builtin.group === 'constants'
              ? monaco.languages.CompletionItemKind.Constant
              : monaco.languages.CompletionItemKind.Function
            : typeof s.lookup(m) === 'function'
              ? monaco.languages.CompletionItemKind.Function
              : monaco.languages.CompletionItemKind.Variable;
        return {
          label: m,
          kind,
          insertText: m,
          range,
          sortText: String(i).padStart(5, '0'),
          detail: builtin ? s.builtins.signature(m) : keywords.has(m) ? 'keyword' : undefined,
        };
      });
      return { suggestions };
    },
    resolveCompletionItem(item) {
      const name = typeof item.label === 'string' ? item.label : item.label.label;
      const doc = inspectText(session(), name, name.length);
      if (doc) item.documentation = { value: doc.body };
      return item;
    },
  });

  monaco.languages.registerHoverProvider(LANGUAGE_ID, {
    provideHover(model, position) {
      const word = model.getWordAtPosition(position);
      if (!word) return null;
      const code = model.getValue();
      const offset = model.getOffsetAt({ lineNumber: position.lineNumber, column: word.startColumn });
      const doc = inspectText(session(), code, codePointOffset(code, offset));
      if (!doc) return null;
      return {
        range: new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn),
        contents: [{ value: '```nabla\n' + doc.head + '\n```' }, ...(doc.body ? [{ value: doc.body }] : [])],
      };
    },
  });
}

/** Session.inspect's text/plain, split into its head (a signature or `name: type`) and the doc under it. */
function inspectText(s: NablaSession, code: string, cursor: number): { head: string; body: string } | null {
  let r;
  try {
    r = s.inspect(code, cursor, 0);
  } catch {
    return null;
  }
  if (!r.found) return null;
  const text = String(r.data['text/plain'] ?? '');
  const nl = text.indexOf('\n');
  const head = nl < 0 ? text : text.slice(0, nl);
  const body = nl < 0 ? '' : text.slice(nl + 1).trim();
  // a value's text (a tensor's rows) keeps its layout in a code block; a builtin's doc is prose
  const prose = s.builtins.defs.has(head.replace(/\(.*$/s, ''));
  return { head, body: prose || !body ? body : '```\n' + body + '\n```' };
}

/** Parses the model's text and shows every diagnostic as a marker; returns how many there were. */
export function updateSyntaxMarkers(model: monaco.editor.ITextModel, file: string): number {
  const code = model.getValue();
  const { diagnostics } = parse(code, file);
  monaco.editor.setModelMarkers(
    model,
    SYNTAX_OWNER,
    diagnostics.map((d) => {
      const start = model.getPositionAt(d.span.start.offset);
      const end = model.getPositionAt(d.span.end.offset);
      return {
        severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        message: d.message,
        source: 'nabla',
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      };
    }),
  );
  return diagnostics.length;
}
