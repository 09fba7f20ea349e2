import { classifyReleaseError } from '../../../src/outcome';
import { ReleaseBatcher } from '../../../src/ReleaseBatcher';
import { DIRECT_IDS_FROM, PendingCalls, WireError } from '../../../src/internal/clients/directWire';

describe('PendingCalls: the releases a wire has out under the library\'s own ids', () => {
  it('writes each call under a fresh id from DIRECT_IDS_FROM and settles it with the answer to that id only', async () => {
    const calls = new PendingCalls();
    const written: number[] = [];
    const first = calls.call((id) => written.push(id));
    const second = calls.call((id) => written.push(id));
    expect(written).toEqual([DIRECT_IDS_FROM, DIRECT_IDS_FROM + 1]);
    expect(calls.answer({ id: 7, result: {} })).toBe(false); // the client's own
    expect(calls.answer({ method: 'Runtime.executionContextsCleared' })).toBe(false);
    expect(calls.answer(null)).toBe(false);
    const told: string[] = [];
    expect(calls.answer({ id: DIRECT_IDS_FROM + 1, result: { ok: 1 } }, () => told.push('before'))).toBe(true);
    expect(calls.answer({ id: DIRECT_IDS_FROM + 1, result: {} })).toBe(false); // answered already
    expect(told).toEqual(['before']);
    await expect(second).resolves.toEqual({ ok: 1 });
    expect(calls.answer({ id: DIRECT_IDS_FROM, error: { code: -32000, message: 'Could not find object with given id' } })).toBe(true);
    const failure = await first.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WireError);
    expect(classifyReleaseError(failure)).toEqual({ outcome: 'gone', targetGone: false });
    expect((failure as WireError).code).toBe(-32000);
  });

  it('a write that throws rejects its call; an end rejects every call out and every later one', async () => {
    const calls = new PendingCalls();
    await expect(calls.call(() => {
      throw new Error('write EPIPE');
    })).rejects.toThrow('write EPIPE');
    const out = calls.call(() => undefined);
    calls.end(new WireError('WebSocket connection closed'));
    await expect(out).rejects.toThrow('WebSocket connection closed');
    let wrote = false;
    await expect(calls.call(() => (wrote = true))).rejects.toThrow('WebSocket connection closed');
    expect(wrote).toBe(false);
    expect(classifyReleaseError(await out.catch((e: unknown) => e))).toEqual({ outcome: 'gone', targetGone: true });
  });

  it('a WireError carries no stack frames, and puts the stack trace limit back', () => {
    const limit = Error.stackTraceLimit;
    const error = new WireError('Target closed');
    expect(error.stack?.split('\n')).toHaveLength(1);
    expect(Error.stackTraceLimit).toBe(limit);
  });
});

describe('the chrome-remote-interface wire on a client it cannot hook', () => {
  it('a frozen client (its message handler cannot be wrapped) is sent to through its own send: nothing written that could never be answered', async () => {
    const written: string[] = [];
    const client = Object.freeze({
      _ws: { readyState: 1, send: (text: string) => written.push(text) },
      _handleMessage: () => undefined,
      on: () => undefined,
      send: () => Promise.resolve({}),
    });
    const batcher = new ReleaseBatcher({ timeoutMs: 200 });
    batcher.release(client, 'a');
    await batcher.flush(); // its lane ends; the next release asks for the client's wire again
    batcher.release(client, 'b');
    await batcher.close();
    expect(written).toEqual([]);
    expect(batcher.stats).toMatchObject({ released: 2, timedOut: 0 });
  });
});
