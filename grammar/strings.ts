// String literal escapes: the JSON set plus `\0` and `\u{…}`, which users of Python and
// JavaScript expect. An unknown escape is reported and kept as written.
const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
  '"': '"',
  '\\': '\\',
};

/** Decodes the text between the quotes; `badEscapes` holds the index of each bad `\`. */
export function decodeString(body: string): { value: string; badEscapes: number[] } {
  if (!body.includes('\\')) return { value: body, badEscapes: [] };
  let value = '';
  const badEscapes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      value += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) {
      // A trailing backslash only occurs in an unterminated string, already reported.
      break;
    }
    if (Object.hasOwn(simpleEscapes, next)) {
      value += simpleEscapes[next];
      i++;
      continue;
    }
    const unicode = next === 'u' ? /^u(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(body.slice(i + 1)) : null;
    const code = unicode ? parseInt(unicode[1] ?? unicode[2], 16) : NaN;
    if (unicode && code <= 0x10ffff) {
      value += String.fromCodePoint(code);
      i += unicode[0].length;
      continue;
    }
    badEscapes.push(i);
    value += ch + next;
    i++;
  }
  return { value, badEscapes };
}
