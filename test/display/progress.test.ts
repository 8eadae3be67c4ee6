import { describe, expect, it } from 'vitest';
import { Progress, progressBundle, type MimeBundle } from '../../display';

function sink() {
  const shown: { text: string; html: string; displayId?: string; update: boolean }[] = [];
  return {
    shown,
    display(b: MimeBundle, o: { displayId?: string; update?: boolean } = {}) {
      shown.push({
        text: b['text/plain'] as string,
        html: b['text/html'] as string,
        displayId: o.displayId,
        update: !!o.update,
      });
    },
  };
}

/** A clock the test advances: each read moves it by `step` ms. */
const clock = (step: number) => {
  let t = 0;
  return () => (t += step);
};

describe('progress', () => {
  it('shows a bar first, then updates that display in place, and ends at n/n', () => {
    const s = sink();
    const seen: number[] = [];
    for (const i of new Progress([10, 20, 30, 40], s, { now: clock(60), minIntervalMs: 100 })) seen.push(i);
    expect(seen).toEqual([10, 20, 30, 40]);
    const [first, ...rest] = s.shown;
    expect(first.update).toBe(false);
    expect(first.displayId).toMatch(/^nabla-progress-/);
    expect(first.text).toMatch(/^ {2}0% \| {24}\| 0\/4/);
    expect(rest.every((r) => r.update && r.displayId === first.displayId)).toBe(true);
    // 60 ms per clock read: not every item may send an update, but the last one always does
    expect(rest.length).toBeLessThan(5);
    expect(rest.at(-1)!.text).toMatch(/^100% \|█{24}\| 4\/4 \[/);
    expect(rest.at(-1)!.html).toContain('<progress value="4" max="4"');
  });

  it('throttles updates of a fast loop', () => {
    const s = sink();
    for (const _ of new Progress(Array.from({ length: 10_000 }), s, { now: clock(0.01), minIntervalMs: 100 }));
    expect(s.shown.length).toBeLessThan(5);
    expect(s.shown.at(-1)!.text).toContain('10000/10000');
  });

  it('shows where a loop stopped when it breaks or throws', () => {
    const s = sink();
    // an item counts once its loop body has finished, as in tqdm: breaking in the body of item 2 leaves 1 done
    for (const i of new Progress([1, 2, 3, 4], s, { now: clock(1) })) if (i === 2) break;
    expect(s.shown.at(-1)!.text).toMatch(/^\(stopped\)\s+25% .* 1\/4/);
    const s2 = sink();
    expect(() => {
      for (const _ of new Progress([1, 2], s2, { now: clock(1), label: 'train' })) throw new Error('boom');
    }).toThrow('boom');
    expect(s2.shown.at(-1)!.text).toMatch(/^train \(stopped\)\s+0%/);
  });

  it('counts without a bar when the total is unknown, and takes a given total', () => {
    function* gen() {
      yield 1;
      yield 2;
    }
    const s = sink();
    for (const _ of new Progress(gen(), s, { now: clock(500) }));
    expect(s.shown.at(-1)!.text).toMatch(/^2 it \[00:0\d, [\d.]+ it\/s\]$/);
    const s2 = sink();
    for (const _ of new Progress(gen(), s2, { total: 2, now: clock(500) }));
    expect(s2.shown.at(-1)!.text).toContain('2/2');
  });

  it('reads the length of anything with a length or size (arrays, ranges)', () => {
    const range = {
      length: 3,
      *[Symbol.iterator]() {
        yield* [0, 1, 2];
      },
    };
    const s = sink();
    for (const _ of new Progress(range, s, { now: clock(1) }));
    expect(s.shown[0].text).toContain('0/3');
  });

  it('formats rate, elapsed time and estimate like tqdm, and escapes the label', () => {
    const b = progressBundle(25, 100, 5000, '<b>');
    expect(b['text/plain']).toBe('<b>  25% |██████                  | 25/100 [00:05<00:15, 5.0 it/s]');
    expect(b['text/html']).toContain('&lt;b&gt;');
    expect(progressBundle(100, 100, 3_725_000)['text/plain']).toContain('[1:02:05, ');
  });
});
