import fc from 'fast-check';
import { batchReleases, ReleaseBatcher, statsBalance } from '../../src/index';
import type { CdpTarget } from '../../src/target';
import { recordFigures } from '../support/figures';

jest.setTimeout(120_000);

const HUGE = 'x'.repeat(1024 * 1024); // a 1 MB object id
const HUGE_TOKEN = '<the 1 MB id>';
const idOf = (id: unknown): unknown => (id === HUGE_TOKEN ? HUGE : id);
const TIMEOUT_MS = 20;

/** Targets as hostile as a caller can hand us; each one's `send` misbehaves its own way. */
const TARGETS: Record<string, unknown> = {
  ok: { send: () => Promise.resolve({}) },
  gone: { send: () => Promise.reject(Object.assign(new Error('Could not find object with given id'), { code: -32000 })) },
  throwsSync: { send: () => { throw new Error('socket exploded'); } },
  throwsNonError: { send: () => { throw 'a string'; } }, // eslint-disable-line @typescript-eslint/only-throw-error
  returnsUndefined: { send: () => undefined },
  returnsNumber: { send: () => 42 },
  returnsPlainObject: { send: () => ({ result: {} }) },
  resolvesTwice: { send: () => ({ then: (ok: (v: unknown) => void) => { ok({}); ok({}); } }) },
  resolvesThenRejects: { send: () => ({ then: (ok: (v: unknown) => void, err: (e: unknown) => void) => { ok({}); err(new Error('late')); } }) },
  thenThrows: { send: () => ({ then: () => { throw new Error('then exploded'); } }) },
  rejectsUndefined: { send: () => Promise.reject(undefined) }, // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors
  neverSettles: { send: () => new Promise(() => undefined) },
  proxyThrows: new Proxy({ send: () => Promise.resolve({}) }, { get(t, k) { if (k === 'then') return undefined; if (k === '_ws' || k === 'client') throw new Error('trap'); return (t as Record<string | symbol, unknown>)[k]; } }),
  sendNotFunction: { send: 'no' },
  nullTarget: null,
  stringTarget: 'page-1',
};
const KINDS = Object.keys(TARGETS);
const isValidTarget = (t: unknown): boolean => typeof t === 'object' && t !== null && typeof (t as { send?: unknown }).send === 'function';

const idArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1 }) }, // unicode: emoji, combining marks, astral planes
  { weight: 2, arbitrary: fc.constantFrom('dup-a', 'dup-b', 'dup-c') }, // repeated
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant(HUGE_TOKEN) }, // stands for the 1 MB id (so a counterexample prints short)
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(Symbol('id')), fc.object(), fc.array(fc.string()), fc.constant(new String('boxed'))) },
);

interface Step { kind: string; id: unknown; group: boolean }
const stepArb: fc.Arbitrary<Step> = fc.record({ kind: fc.constantFrom(...KINDS), id: idArb, group: fc.boolean() });

describe('hostile input (property): never thrown, always counted', () => {
  it('every release of any id to any target ends in exactly one counted outcome, and flush() settles', async () => {
    let runs = 0;
    let releases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 40, size: 'large' }), fc.boolean(), async (steps, forgetHalfway) => {
        runs++;
        releases += steps.length;
        const batcher = new ReleaseBatcher({ timeoutMs: TIMEOUT_MS, maxInFlight: 4 });
        const seen = new Set<string>();
        let invalid = 0;
        let duplicate = 0;
        let forgotten = false;
        steps.forEach((s, i) => {
          const target = TARGETS[s.kind];
          const id = idOf(s.id);
          if (forgetHalfway && i === Math.floor(steps.length / 2)) {
            expect(() => batcher.forget(TARGETS.neverSettles as CdpTarget)).not.toThrow();
            forgotten = true;
          }
          if (!isValidTarget(target) || typeof id !== 'string' || id === '') invalid++;
          else if (!(forgotten && s.kind === 'neverSettles')) { // releases to a forgotten target are dropped at once
            const key = `${s.kind}\u0000${s.group ? 'g' : 'o'}\u0000${id}`;
            if (seen.has(key)) duplicate++;
            seen.add(key);
          }
          expect(() => {
            if (s.group) batcher.releaseGroup(target as CdpTarget, id as string);
            else batcher.release(target as CdpTarget, id as string);
          }).not.toThrow();
        });
        const settled = await Promise.race([batcher.flush().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
        expect(settled).toBe(true);
        const s = batcher.stats;
        expect(statsBalance(s)).toBe(true);
        expect(s).toMatchObject({ enqueued: steps.length, pending: 0, inFlight: 0, invalid, duplicate });
        await batcher.close();
      }),
      { numRuns: 250 },
    );
    recordFigures('hostile-input', { runs, releases, targetKinds: KINDS, timeoutMs: TIMEOUT_MS });
  });

  const badOptions: [string, unknown][] = [
    ['maxBatch', 0], ['maxBatch', -1], ['maxBatch', 1.5], ['maxBatch', Number.NaN], ['maxBatch', Infinity], ['maxBatch', '64'], ['maxBatch', null],
    ['maxInFlight', 0], ['maxInFlight', 2.5], ['maxInFlight', -Infinity], ['maxInFlight', {}],
    ['timeoutMs', 0], ['timeoutMs', -5], ['timeoutMs', Number.NaN], ['timeoutMs', Infinity], ['timeoutMs', '100'],
    ['scheduler', {}], ['scheduler', 42], ['scheduler', null],
    ['trackLeaks', 'yes'],
  ];

  it.each(badOptions)('option %s = %p: a RangeError at construction that names it', (name, value) => {
    expect(() => new ReleaseBatcher({ [name]: value })).toThrow(RangeError);
    expect(() => new ReleaseBatcher({ [name]: value })).toThrow(name);
    if (name !== 'trackLeaks') expect(() => batchReleases({ [name]: value })).toThrow(new RegExp(name));
  });

  it('any out-of-range number for the numeric options: RangeError; any in range: accepted (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('maxBatch', 'maxInFlight', 'timeoutMs'), fc.oneof(fc.double(), fc.integer({ min: -1e9, max: 1e9 })), (name, value) => {
        const valid = name === 'timeoutMs' ? Number.isFinite(value) && value > 0 : Number.isInteger(value) && value >= 1;
        const make = (): ReleaseBatcher => new ReleaseBatcher({ [name]: value });
        if (valid) expect(make).not.toThrow();
        else expect(make).toThrow(RangeError);
      }),
      { numRuns: 500 },
    );
  });

  it('options that are not an object: RangeError', () => {
    for (const options of [42, 'fast', true]) expect(() => new ReleaseBatcher(options as never)).toThrow(RangeError);
  });
});
