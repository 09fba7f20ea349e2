import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import type { ReleaseOutcome } from '../src/outcome';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import { ledgerOf } from '../src/internal/ledger';
import { statsBalance, type ReleaseStats } from '../src/stats';
import type { CdpTarget } from '../src/target';
import { VirtualAnswer, protocolError } from './support/virtualTarget';

/** A target whose answers the property decides, one outstanding call at a time. */
class ScriptedTarget implements CdpTarget {
  readonly outstanding: VirtualAnswer[] = [];
  sends = 0;
  constructor(readonly mode: 'promise' | 'throws' | 'value') {}
  send(): PromiseLike<unknown> {
    this.sends++;
    if (this.mode === 'throws') throw new Error('Target closed');
    if (this.mode === 'value') return 42 as unknown as PromiseLike<unknown>;
    const answer = new VirtualAnswer();
    this.outstanding.push(answer);
    return answer;
  }
}

type Step =
  | { kind: 'release'; target: number; id: number; group: boolean }
  | { kind: 'invalid'; which: number }
  | { kind: 'answer'; target: number; index: number; how: 'ok' | 'fail' | 'gone' | 'twice' }
  | { kind: 'advance'; ms: number }
  | { kind: 'close' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('release' as const), target: fc.nat(3), id: fc.nat(12), group: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid' as const), which: fc.nat(3) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('answer' as const), target: fc.nat(3), index: fc.nat(8), how: fc.constantFrom('ok' as const, 'fail' as const, 'gone' as const, 'twice' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const) }) },
);

function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  scheduler.maxFrames = scheduler.now() + ms;
  scheduler.flush();
}

describe('accounting (property)', () => {
  it('for any interleaving, the invariant holds at every moment and every request ends in exactly one outcome', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (steps, maxBatch, maxInFlight) => {
          const scheduler = new VirtualTimeScheduler(undefined, 0);
          const targets = [new ScriptedTarget('promise'), new ScriptedTarget('promise'), new ScriptedTarget('throws'), new ScriptedTarget('value')];
          const batcher = new ReleaseBatcher({ maxBatch, maxInFlight, timeoutMs: 100, scheduler });
          const emissions: ReleaseStats[] = [];
          let atCompletion: ReleaseStats | null = null;
          batcher.stats$.subscribe({ next: (s) => emissions.push(s), complete: () => (atCompletion = batcher.stats) });
          const outcomes: ReleaseOutcome[][] = [];
          let closing: Promise<void> | null = null;

          const track = (target: CdpTarget, id: unknown, group: boolean): void => {
            const seen: ReleaseOutcome[] = [];
            outcomes.push(seen);
            ledgerOf(batcher).enqueue(target, id as string, group, (o) => seen.push(o));
          };

          for (const s of steps) {
            switch (s.kind) {
              case 'release':
                track(targets[s.target] as CdpTarget, `obj-${s.id}`, s.group);
                break;
              case 'invalid':
                track([null, {}, targets[0], targets[1]][s.which] as CdpTarget, [`x`, 'y', '', 7][s.which], false);
                break;
              case 'answer': {
                const t = targets[s.target] as ScriptedTarget;
                const answer = t.outstanding.splice(s.index % Math.max(1, t.outstanding.length), 1)[0];
                if (answer === undefined) break;
                if (s.how === 'ok') answer.resolve();
                else if (s.how === 'fail') answer.reject(protocolError('Internal error'));
                else if (s.how === 'gone') answer.reject(protocolError('Could not find object with given id'));
                else { answer.resolve(); answer.reject(new Error('second answer')); }
                break;
              }
              case 'advance':
                advance(scheduler, s.ms);
                break;
              case 'close':
                closing ??= batcher.close();
                break;
            }
            expect(statsBalance(batcher.stats)).toBe(true);
          }

          closing ??= batcher.close();
          advance(scheduler, 1000); // flush windows run, every unanswered call times out
          await closing;

          const final = batcher.stats;
          expect(final.pending).toBe(0);
          expect(final.inFlight).toBe(0);
          expect(statsBalance(final)).toBe(true);
          for (const e of emissions) expect(statsBalance(e)).toBe(true);
          // The last emission is the state when the close completed (in the call that settled the
          // last release); releases after that end at once (`dropped`, or `invalid`), in `stats` only.
          expect(emissions[emissions.length - 1]).toEqual(atCompletion);
          const late = (s: ReleaseStats): ReleaseStats => ({ ...s, enqueued: 0, dropped: 0, invalid: 0 });
          expect(late(final)).toEqual(late(atCompletion!));
          expect(final.enqueued - atCompletion!.enqueued).toBe(final.dropped - atCompletion!.dropped + final.invalid - atCompletion!.invalid);
          expect(final.enqueued).toBe(outcomes.length);
          for (const o of outcomes) expect(o).toHaveLength(1);
          const count = (name: ReleaseOutcome): number => outcomes.filter((o) => o[0] === name).length;
          for (const name of ['released', 'gone', 'failed', 'timedOut', 'dropped', 'duplicate', 'invalid'] as const) {
            expect(final[name]).toBe(count(name));
          }
          const sends = targets.reduce((n, t) => n + t.sends, 0);
          // Every answered call is counted once; a timed-out target's backlog counts timedOut unsent.
          expect(sends).toBeGreaterThanOrEqual(final.released + final.gone + final.failed);
          expect(sends).toBeLessThanOrEqual(final.released + final.gone + final.failed + final.timedOut);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stats$ stays within a burst\'s batches plus four a second, whatever the answers\' timing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 128 }),
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-1)), { minLength: 1, maxLength: 50 }),
        (n, maxBatch, maxInFlight, delays) => {
          const scheduler = new VirtualTimeScheduler(undefined, Infinity);
          let calls = 0;
          // Each call's answer after its own delay (frames), or never (-1: it times out).
          const target: CdpTarget = {
            send: () => {
              const answer = new VirtualAnswer();
              const delay = delays[calls++ % delays.length] as number;
              if (delay >= 0) scheduler.schedule(() => answer.resolve(), delay);
              return answer;
            },
          };
          const batcher = new ReleaseBatcher({ maxBatch, maxInFlight, timeoutMs: 2_000, scheduler });
          const emissions: { at: number; stats: ReleaseStats }[] = [];
          batcher.stats$.subscribe((s) => emissions.push({ at: scheduler.now(), stats: s }));
          for (let i = 0; i < n; i++) batcher.release(target, `id${i}`);
          scheduler.flush();
          const final = batcher.stats;
          expect(final).toMatchObject({ enqueued: n, pending: 0, inFlight: 0 });
          expect(emissions[emissions.length - 1]?.stats).toEqual(final);
          for (const e of emissions) expect(statsBalance(e.stats)).toBe(true);
          const seconds = Math.ceil((emissions[emissions.length - 1]?.at ?? 0) / 1000);
          // subscribe + the enqueue checkpoint + one per batch settled + four a second (+1: the edge)
          expect(emissions.length).toBeLessThanOrEqual(2 + final.batches + 4 * seconds + 1);
          expect(final.batches).toBeLessThanOrEqual(Math.ceil(n / maxBatch));
        },
      ),
      { numRuns: 200 },
    );
  });
});
