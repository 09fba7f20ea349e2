import { TestScheduler } from 'rxjs/testing';
import { RemoteObjectCensus, type CensusTransport } from '../src/census';

/** A puppeteer-style transport whose Chrome side the test writes. */
function fakeInner(): CensusTransport & { chrome(message: object): void; sent: string[] } {
  const inner = {
    sent: [] as string[],
    send(message: string) { inner.sent.push(message); },
    close() { inner.onclose?.(); },
    onmessage: undefined as ((message: string) => void) | undefined,
    onclose: undefined as (() => void) | undefined,
    chrome(message: object) { inner.onmessage?.(JSON.stringify(message)); },
  };
  return inner;
}

describe('RemoteObjectCensus', () => {
  it('snapshot$: the snapshot on subscribe, then the last state of each burst at most once per 250 ms, nothing while idle, complete on close', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ expectObservable, cold }) => {
      const census = new RemoteObjectCensus();
      const inner = fakeInner();
      const outer = census.transport(inner);
      let id = 0;
      const bind = (): void => {
        outer.send(JSON.stringify({ id: ++id, method: 'Runtime.evaluate', params: {} }));
        inner.chrome({ id, result: { result: { type: 'object', objectId: `1.1.${id}` } } });
      };
      // Bursts: 10 objects at 10 ms, 1 at 110 (inside the window), 5 at 1110; closed at 3110.
      cold('10ms a 99ms b 999ms c 1999ms d').subscribe((step) => {
        if (step === 'a') for (let i = 0; i < 10; i++) bind();
        if (step === 'b') bind();
        if (step === 'c') for (let i = 0; i < 5; i++) bind();
        if (step === 'd') void census.close();
      });
      const held = (n: number) => expect.objectContaining({ held: n });
      expectObservable(census.snapshot$).toBe('a 259ms b 1099ms c 1749ms |', { a: held(0), b: held(11), c: held(16) });
    });
  });

  it('counts through the transport both ways and passes every message on unchanged', () => {
    const census = new RemoteObjectCensus();
    const inner = fakeInner();
    const outer = census.transport(inner);
    const received: string[] = [];
    outer.onmessage = (message) => received.push(message);
    let closed = 0;
    outer.onclose = () => closed++;
    const command = JSON.stringify({ method: 'Runtime.evaluate', params: { expression: 'document' }, id: 1, sessionId: 'S' });
    outer.send(command);
    expect(inner.sent).toEqual([command]);
    inner.chrome({ method: 'Target.attachedToTarget', params: { sessionId: 'S', targetInfo: { targetId: 'P', url: 'https://x.test/' } } });
    inner.chrome({ id: 1, result: { result: { type: 'object', objectId: '5.1.1' } }, sessionId: 'S' });
    expect(received).toHaveLength(2);
    expect(census.snapshot()).toMatchObject({ held: 1, created: 1, pages: [{ targetId: 'P', url: 'https://x.test/', held: 1, heldBy: { 'Runtime.evaluate': 1 } }] });
    outer.close();
    expect(closed).toBe(1);
    expect(census.snapshot()).toMatchObject({ held: 0, released: 1, pages: [] });
  });

  it('oldestHeldMs is the age of the oldest object still held', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, flush }) => {
      const census = new RemoteObjectCensus();
      const inner = fakeInner();
      const outer = census.transport(inner);
      const seen: Array<number | null | undefined> = [];
      cold('a 99ms b 99ms c 99ms d').subscribe((step) => {
        if (step === 'a' || step === 'b') {
          const id = step === 'a' ? 1 : 2;
          outer.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: {} }));
          inner.chrome({ id, result: { result: { type: 'object', objectId: `1.1.${id}` } } });
        }
        if (step === 'c') {
          outer.send(JSON.stringify({ id: 3, method: 'Runtime.releaseObject', params: { objectId: '1.1.1' } }));
          inner.chrome({ id: 3, result: {} });
        }
        seen.push(census.snapshot().pages[0]?.oldestHeldMs);
      });
      flush();
      expect(seen).toEqual([0, 100, 100, 200]);
    });
  });

  it('bad input gets a clear error', async () => {
    const census = new RemoteObjectCensus();
    expect(() => census.observe({})).toThrow(/chrome-remote-interface client/);
    expect(() => census.transport({} as CensusTransport)).toThrow(/ConnectionTransport/);
    await expect(census.relay('ftp://x')).rejects.toThrow(/ws:\/\/ or http:\/\//);
    await expect(census.relay('not a url')).rejects.toThrow(/upstream must be/);
    expect(() => new RemoteObjectCensus({ releaseConsoleArgs: 'yes' as unknown as boolean })).toThrow(/boolean or a ReleaseBatcher/);
    await census.close();
    expect(() => census.transport(fakeInner())).toThrow(/closed/);
  });
});
