import type { Value } from './values';

/**
 * Compile-time name resolution. A function's locals are the names it assigns (Python's rule: assignment
 * makes a local; blocks do not open scopes) and live in slots of a frame array; globals persist across cells
 * in Cells, so a read is one property load either way, never a map lookup per access.
 */
export const UNBOUND: unique symbol = Symbol('unbound');

export interface Frame {
  vars: Value[];
  parent: Frame | null;
  /** The value a `return` carries out of a function body. */
  ret?: Value;
}

export class Cell {
  value: Value | typeof UNBOUND = UNBOUND;
  constructor(readonly name: string) {}
}

export class Globals {
  readonly cells = new Map<string, Cell>();
  cell(name: string): Cell {
    let c = this.cells.get(name);
    if (!c) this.cells.set(name, (c = new Cell(name)));
    return c;
  }
  /** Names bound now (for completion). */
  bound(): string[] {
    return [...this.cells.values()].filter((c) => c.value !== UNBOUND).map((c) => c.name);
  }
}

export type Resolved = { kind: 'local'; depth: number; slot: number } | { kind: 'global'; cell: Cell };

export class Scope {
  readonly slots = new Map<string, number>();
  constructor(
    readonly parent: Scope | null,
    readonly globals: Globals,
    readonly fnName: string,
  ) {}

  get isGlobal(): boolean {
    return this.parent === null;
  }

  declare(name: string): void {
    if (!this.isGlobal && !this.slots.has(name)) this.slots.set(name, this.slots.size);
  }

  resolve(name: string): Resolved {
    let depth = 0;
    for (let s: Scope | null = this; s && !s.isGlobal; s = s.parent, depth++) {
      const slot = s.slots.get(name);
      if (slot !== undefined) return { kind: 'local', depth, slot };
    }
    return { kind: 'global', cell: this.globals.cell(name) };
  }
}
