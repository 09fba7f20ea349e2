import { CloseSequence } from '../../src/internal/closeSequence';

/** Close steps that record their order; the flush completes when the test says. */
function steps(): { events: string[]; settle: () => void; stopTaking(): void; whenFlushed(done: () => void): void; end(): void } {
  const events: string[] = [];
  let flushed: (() => void) | null = null;
  return {
    events,
    settle: () => flushed?.(),
    stopTaking: () => events.push('stop'),
    whenFlushed: (done) => {
      events.push('wait');
      flushed = done;
    },
    end: () => events.push('end'),
  };
}

describe('CloseSequence', () => {
  it('stops taking, waits for the flush, ends, then tells every waiter — in the settling call', () => {
    const s = steps();
    const close = new CloseSequence(s);
    expect(close.started).toBe(false);
    close.whenClosed(() => s.events.push('first'));
    close.whenClosed(() => s.events.push('second'));
    expect(close.started).toBe(true);
    expect(s.events).toEqual(['stop', 'wait']);
    s.settle();
    expect(s.events).toEqual(['stop', 'wait', 'end', 'first', 'second']);
  });

  it('runs once: every promise() is the same, a waiter after the end is told at once', async () => {
    const s = steps();
    const close = new CloseSequence(s);
    const a = close.promise();
    expect(close.promise()).toBe(a);
    s.settle();
    await a;
    let late = false;
    close.whenClosed(() => (late = true));
    expect(late).toBe(true);
    expect(s.events.filter((e) => e === 'stop' || e === 'end')).toEqual(['stop', 'end']);
  });
});
