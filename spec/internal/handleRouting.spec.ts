import { TestScheduler } from 'rxjs/testing';
import { clientHandleOf, releaseClientHandle } from '../../src/internal/handleRouting';
import { ReleaseLedger } from '../../src/internal/ledger';
import { resolveBatcherOptions } from '../../src/internal/resolveOptions';

/** The shape the puppeteer-core adapter reads of a `CdpJSHandle`, on a session that records its calls. */
function puppeteerShape(objectId: string | undefined, sent: string[]): { dispose(): Promise<void>; disposed: boolean } {
  const client = { send: (_m: string, p: { objectId: string }) => (sent.push(p.objectId), Promise.resolve({})) };
  return {
    remoteObject: () => (objectId === undefined ? { type: 'number', value: 1 } : { objectId }),
    asElement: () => null,
    dispose: () => Promise.resolve(),
    disposed: false,
    client,
  } as unknown as { dispose(): Promise<void>; disposed: boolean };
}

describe('client-handle routing', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });

  it('takes a target for a target without asking the adapters, and only a known handle for a handle', () => {
    let asked = 0;
    const target = new Proxy({ send: () => Promise.resolve() }, { get: (t, k) => (k !== 'send' && asked++, Reflect.get(t, k)) });
    expect(clientHandleOf(target)).toBeNull();
    expect(asked).toBe(0);
    expect(clientHandleOf({})).toBeNull();
    expect(clientHandleOf(null)).toBeNull();
    expect(clientHandleOf(puppeteerShape('o1', []))?.objects.map((o) => o.objectId)).toEqual(['o1']);
  });

  it('marks the handle disposed, then enqueues one release per object on its own session', async () => {
    const sent: string[] = [];
    const ledger = new ReleaseLedger(resolveBatcherOptions({ scheduler }));
    const value = puppeteerShape('o1', sent);
    releaseClientHandle(ledger, clientHandleOf(value)!);
    expect(value.disposed).toBe(true);
    scheduler.flush();
    expect(sent).toEqual(['o1']);
    await new Promise((resolve) => setImmediate(resolve)); // the session's answer
    expect(ledger.snapshot).toMatchObject({ enqueued: 1, released: 1 });
  });

  it('counts a handle its client disposed as duplicate, after close as dropped, and a primitive not at all', () => {
    const ledger = new ReleaseLedger(resolveBatcherOptions({ scheduler }));
    const disposed = puppeteerShape('o1', []);
    disposed.disposed = true;
    releaseClientHandle(ledger, clientHandleOf(disposed)!);
    releaseClientHandle(ledger, clientHandleOf(puppeteerShape(undefined, []))!);
    expect(ledger.snapshot).toMatchObject({ enqueued: 1, duplicate: 1 });
    ledger.stopTaking();
    const late = puppeteerShape('o2', []);
    releaseClientHandle(ledger, clientHandleOf(late)!);
    expect(ledger.snapshot).toMatchObject({ enqueued: 2, dropped: 1 });
    expect(late.disposed).toBe(false); // left to its client
  });
});
