// Generated Nabla sources of a given size, in the shapes that stress a parser and checker in
// different ways. Used by scripts/source-scaling.ts and test/lang/source-scaling.test.ts.
// Every shape is a valid program that `nabla check` accepts and `nabla run` runs quickly.

export type Shape = 'tiny' | 'statements' | 'functions' | 'lists' | 'text';

const units: Record<Shape, (i: number) => string> = {
  // the most statements per byte: 1.67 million in 10 MB
  tiny: (i) => `x = ${i % 10}\n`,
  // short statements reading the names the ones before bound
  statements: (i) => `a${i} = ${i} + 1\nb${i} = a${i} * 2 - sum([a${i}, 1])\n`,
  // long function bodies: one scope of 200 locals each
  functions: (i) => {
    const body = Array.from({ length: 200 }, (_, j) => `  y${j} = x * ${j} + 1\n`).join('');
    return `fn f${i}(x) {\n${body}  y0 + y199\n}\n`;
  },
  // big list literals: 5,000 numbers inside one pair of brackets
  lists: (i) => `xs${i} = [${Array.from({ length: 5000 }, (_, j) => j).join(', ')}]\n`,
  // long comments and strings: few tokens, many characters
  text: (i) => `# ${'c'.repeat(2000)}\ns${i} = "${'s'.repeat(5000)}"\n`,
};

export const SHAPES = Object.keys(units) as Shape[];

/** A program of the shape, at least `bytes` long (by at most one unit more). */
export function generate(shape: Shape, bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const unit = units[shape](i);
    parts.push(unit);
    length += unit.length;
  }
  return parts.join('');
}
