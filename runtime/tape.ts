import { grad } from './autograd';
import { gradError } from './errors';
import { zerosLike } from './ops/creation';
import { stack } from './ops/shape';
import { reshape } from './ops/shape';
import { Tensor } from './tensor';
import { unusedReason } from './unused';
import { warn } from './provenance';
import { fmtSite, siteState, type Site } from './site';

/** The source was never watched: name it, where it was made, where the with-block is, and where it was used. */
function notWatched(s: Tensor, target: Tensor, tapeSite: Site | null): string {
  const name = s.name ?? 'x';
  const made = s.origin.site ? ` (created at ${fmtSite(s.origin.site)})` : '';
  const used =
    target.origin.site && !target.gradFn
      ? `; '${target.name ?? 'the target'}' was computed at ${fmtSite(target.origin.site)} without a record`
      : '';
  const where = tapeSite ? ` at the start of the with-block at ${fmtSite(tapeSite)}` : ' inside the with-block';
  return `the source${s.name ? ` '${s.name}'` : ''}${made} was not watched by this tape, so nothing computed from it was recorded${used}. Add watch(${name})${where}, before ${name} is used, or make it a param`;
}

/**
 * TensorFlow's GradientTape: inside the scope, operations on watched tensors are recorded; afterwards
 * `gradient` answers once (or any number of times when persistent). Trainable params are recorded anyway,
 * since they require grad (TensorFlow's watch_accessed_variables default).
 */
export interface TapeOptions {
  persistent?: boolean;
}

/** The tapes whose with-block is open, innermost last: the current session's (context.ts moves them). */
export const activeTapes: GradientTape[] = [];

export class GradientTape {
  readonly persistent: boolean;
  private watched = new Set<Tensor>();
  private open = false;
  private answered = false;

  /** Where the tape was made (the with-statement), for the advice to watch a source there. */
  readonly site = siteState.current;

  constructor(opts: TapeOptions = {}) {
    this.persistent = !!opts.persistent;
  }

  enter(): this {
    this.open = true;
    activeTapes.push(this);
    return this;
  }

  exit(): void {
    this.open = false;
    const i = activeTapes.lastIndexOf(this);
    if (i >= 0) activeTapes.splice(i, 1);
    for (const t of this.watched) t.watchedBy?.delete(this);
  }

  /** Runs fn inside the tape's scope. */
  run<T>(fn: (tape: this) => T): T {
    this.enter();
    try {
      return fn(this);
    } finally {
      this.exit();
    }
  }

  watch(x: Tensor): void {
    if (!this.open) throw gradError('watch', 'this tape is closed; call watch inside its with-block');
    (x.watchedBy ??= new Set()).add(this);
    this.watched.add(x);
  }

  private checkAnswer(api: string) {
    if (this.answered && !this.persistent) {
      throw gradError(
        api,
        'a non-persistent tape can answer only once; create it with tape(persistent=true) to ask again',
      );
    }
    this.answered = true;
  }

  gradient(
    target: Tensor,
    sources: Tensor | readonly Tensor[],
    opts: { outputGradients?: Tensor | null; unconnected?: 'none' | 'zero' } = {},
  ): Tensor | null | (Tensor | null)[] {
    const list0 = Array.isArray(sources) ? sources : [sources];
    if (!(target instanceof Tensor) || !list0.every((s) => s instanceof Tensor)) {
      throw gradError('gradient', 'takes a target tensor and a source tensor or a list of them, e.g. t.gradient(y, x)');
    }
    this.checkAnswer('gradient');
    const list = Array.isArray(sources) ? [...sources] : [sources as Tensor];
    // TensorFlow's semantics: with unconnected= given, a source the tape cannot connect to the target is
    // answered as asked (none or zeros); without it, a source that was never watched is a mistake, said so
    const explicit = opts.unconnected !== undefined;
    for (const s of list) {
      if (!explicit && !s.requiresGrad && !this.watched.has(s) && !s.gradFn)
        throw gradError('gradient', notWatched(s, target, this.site));
    }
    // a watched source that no recorded op used has no graph node; it is unconnected, not an error
    const connected = list.filter((s) => s.gradFn || s.leafNode || s.requiresGrad);
    const found = connected.length
      ? (grad(target, connected, {
          gradOutputs: opts.outputGradients ?? null,
          retainGraph: this.persistent,
          allowUnused: true,
          api: 'gradient',
        }) as (Tensor | null)[])
      : [];
    const gs = list.map((s) => (connected.includes(s) ? found[connected.indexOf(s)] : null));
    // TensorFlow answers None here without a word; say why, with the line
    gs.forEach((g, i) => {
      if (g || !target.gradFn || explicit) return; // asked for explicitly: no surprise to warn about
      const s = list[i];
      const why = connected.includes(s)
        ? unusedReason(s, [target.gradFn], [target])
        : this.watched.has(s)
          ? 'was watched but not used by any recorded operation'
          : 'was not watched by this tape';
      warn(
        `t.gradient: no gradient for the source${s.name ? ` '${s.name}'` : ''}, so it is ${opts.unconnected === 'zero' ? 'zeros' : 'none'}: it ${why}`,
      );
    });
    const filled = gs.map((g, i) => g ?? (opts.unconnected === 'zero' ? zerosLike(list[i]) : null));
    return Array.isArray(sources) ? filled : filled[0];
  }

  /** d target / d source, shape target.shape + source.shape, one backward pass per target element. */
  jacobian(target: Tensor, source: Tensor): Tensor {
    if (!(target instanceof Tensor) || !(source instanceof Tensor))
      throw gradError('jacobian', 'takes two tensors, e.g. t.jacobian(y, x)');
    this.checkAnswer('jacobian');
    return jacobianOf(target, source, false);
  }
}

/** Rows of the Jacobian by backpropagating each one-hot output gradient (retaining the graph between rows). */
export function jacobianOf(y: Tensor, x: Tensor, createGraph: boolean): Tensor {
  const rows: Tensor[] = [];
  for (let i = 0; i < y.size; i++) {
    const onehot = zerosLike(y);
    onehot.storage.host[i * (y.dtype === 'complex64' ? 2 : 1)] = 1;
    const g = grad(y, x, { gradOutputs: onehot, retainGraph: true, createGraph, allowUnused: true }) as Tensor | null;
    rows.push(g ?? zerosLike(x));
  }
  return reshape(stack(rows), [...y.shape, ...x.shape]);
}

export function tape(opts: TapeOptions = {}): GradientTape {
  return new GradientTape(opts);
}

/** watch(x): inside a tape, the innermost tape records x; outside any tape, x requires grad from now on. */
export function watch(x: Tensor): void {
  const t = activeTapes[activeTapes.length - 1];
  if (t) t.watch(x);
  else x.requiresGrad = true;
}
