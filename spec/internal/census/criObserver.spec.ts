import { EventEmitter } from 'node:events';
import { observeCriClient } from '../../../src/internal/census/criObserver';
import { HeldObjectTally } from '../../../src/internal/census/tally';

/** The internals of a chrome-remote-interface client the observer hooks, and nothing else. */
class FakeCri extends EventEmitter {
  _nextCommandId = 1;
  webSocketUrl = 'ws://127.0.0.1:9/devtools/browser/x';
  _enqueueCommand(_method: string, _params: unknown, _sessionId: string | undefined, _callback: unknown): void {
    this._nextCommandId++;
  }
  _handleMessage(_message: unknown): void {
    // the client's own handling
  }
  send(): Promise<unknown> {
    return Promise.resolve({});
  }
}

describe('observeCriClient (the census on a chrome-remote-interface client)', () => {
  it('counts in socket order, forgets the commands of a session that detached, and still calls the client\'s own handling', () => {
    const tally = new HeldObjectTally(() => 0, () => undefined);
    const client = new FakeCri();
    const handled: unknown[] = [];
    client._handleMessage = (message) => void handled.push(message);
    observeCriClient(client, (root) => tally.connection(root), {});
    client._enqueueCommand('Runtime.evaluate', {}, 'S1', () => undefined); // id 1
    client._enqueueCommand('Runtime.evaluate', {}, 'S2', () => undefined); // id 2
    client._handleMessage({ method: 'Target.attachedToTarget', params: { sessionId: 'S1', targetInfo: { targetId: 'T1', url: 'https://a.test/' } } });
    client._handleMessage({ id: 1, result: { result: { type: 'object', objectId: '1.1.1' } }, sessionId: 'S1' });
    client._handleMessage({ method: 'Runtime.executionContextsCleared', params: {}, sessionId: 'S1' });
    expect(tally.pages.get('T1')).toMatchObject({ created: 1, held: 0, releasedBy: { gone: 1 } });
    client._handleMessage({ method: 'Target.detachedFromTarget', params: { sessionId: 'S2' } });
    client._handleMessage({ id: 2, result: { result: { type: 'object', objectId: '1.1.2' } }, sessionId: 'S2' });
    expect(tally.totals.created).toBe(1);
    expect(handled).toHaveLength(5);
  });
});
