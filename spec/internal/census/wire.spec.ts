import { HeldObjectTally } from '../../../src/internal/census/tally';
import { OWN_IDS_FROM, WireConnection, type Frame } from '../../../src/internal/census/wire';
import { isTargetGone } from '../../../src/internal/targetLifecycle';

/** A wire over a fake socket: what it writes, and its tally. */
function wire(): { connection: WireConnection; tally: HeldObjectTally; written: string[] } {
  const tally = new HeldObjectTally(() => 0, () => undefined);
  const written: string[] = [];
  const connection = new WireConnection(tally.connection('T1'), (text) => written.push(text), {});
  return { connection, tally, written };
}

const page = (tally: HeldObjectTally) => tally.pages.get('T1');

describe('WireConnection (the census reading frames as they cross)', () => {
  it.each<[string, (text: string) => Frame]>([['string', (t) => t], ['Buffer', (t) => Buffer.from(t)]])('reads answers and events from %s frames: objects bound, released by id, group and context', (_, frame) => {
    const { connection, tally } = wire();
    connection.outgoing(frame(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'x', objectGroup: 'g' } })));
    expect(connection.incoming(frame('{"id":1,"result":{"result":{"type":"object","objectId":"9.1.1"}}}'))).toBe(true);
    connection.outgoing(frame(JSON.stringify({ id: 2, method: 'Runtime.getProperties', params: { objectId: '9.1.1' } })));
    connection.incoming(frame('{"id":2,"result":{"result":[{"name":"a","value":{"type":"object","objectId":"9.1.2"}},{"name":"s","symbol":{"type":"symbol","objectId":"9.1.3"}}]}}'));
    connection.incoming(frame('{"method":"Runtime.consoleAPICalled","params":{"type":"log","executionContextId":2,"timestamp":5,"args":[{"type":"object","objectId":"9.2.4"},{"type":"string","value":"s"}]}}'));
    expect(page(tally)).toMatchObject({ held: 4, heldBy: new Map([['Runtime.evaluate', 1], ['Runtime.getProperties', 1], ['Runtime.consoleAPICalled', 1], ['console storage', 1]]) });
    // getProperties children inherit the parent's group.
    connection.outgoing(frame(JSON.stringify({ id: 3, method: 'Runtime.releaseObjectGroup', params: { objectGroup: 'g' } })));
    connection.incoming(frame('{"id":3,"result":{}}'));
    expect(page(tally)).toMatchObject({ held: 2, releasedBy: { group: 2 } });
    // Context 2 destroyed: its argument and its stored message go.
    connection.incoming(frame('{"method":"Runtime.executionContextDestroyed","params":{"executionContextId":2,"executionContextUniqueId":"x"}}'));
    expect(page(tally)).toMatchObject({ held: 0, created: 4, releasedBy: { gone: 2 } });
  });

  it('a released id is counted when Chrome answers, even an error (nothing is held then either); an unknown id changes nothing', () => {
    const { connection, tally } = wire();
    connection.outgoing(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: {} }));
    connection.incoming('{"id":1,"result":{"result":{"type":"object","objectId":"1.1.1"}}}');
    connection.outgoing(JSON.stringify({ id: 2, method: 'Runtime.releaseObject', params: { objectId: '1.1.1' } }));
    expect(page(tally)?.held).toBe(1); // sent, not yet answered
    connection.incoming('{"id":2,"error":{"code":-32000,"message":"Could not find object with given id"}}');
    expect(page(tally)).toMatchObject({ held: 0, releasedBy: { id: 1 } });
    connection.outgoing(JSON.stringify({ id: 3, method: 'Runtime.releaseObject', params: { objectId: '1.1.1' } }));
    connection.incoming('{"id":3,"result":{}}');
    expect(page(tally)).toMatchObject({ held: 0, released: 1 });
  });

  it('an object in an error answer is not bound; answers in another key order are read the slow way', () => {
    const { connection, tally } = wire();
    connection.outgoing(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: {} }));
    connection.incoming('{"id":1,"error":{"code":-32000,"message":"x","data":{"objectId":"1.1.9"}}}');
    expect(page(tally)).toBeUndefined();
    connection.outgoing(JSON.stringify({ id: 2, method: 'Runtime.evaluate', params: {} }));
    connection.incoming('{"result":{"result":{"type":"object","objectId":"1.1.1"}},"id":2}');
    expect(page(tally)?.held).toBe(1);
  });

  it('the census\'s own commands use ids from 2,000,000,000 and their answers are taken off the wire; closing fails them as gone', async () => {
    const { connection, written } = wire();
    const target = connection.target('S1');
    const sent = target.send('Runtime.discardConsoleEntries');
    const frame = JSON.parse(written[0] ?? '{}') as { id: number; sessionId: string };
    expect(frame).toMatchObject({ id: OWN_IDS_FROM, method: 'Runtime.discardConsoleEntries', sessionId: 'S1' });
    expect(connection.incoming(`{"id":${OWN_IDS_FROM},"result":{},"sessionId":"S1"}`)).toBe(false);
    await expect(sent).resolves.toEqual({});
    const failing = target.send('Runtime.releaseObject', { objectId: 'x' });
    expect(connection.incoming(`{"id":${OWN_IDS_FROM + 1},"error":{"code":-32000,"message":"Could not find object with given id"},"sessionId":"S1"}`)).toBe(false);
    await expect(failing).rejects.toThrow('Could not find object with given id');
    const pending = target.send('Runtime.releaseObject', { objectId: 'y' });
    connection.closed();
    await expect(pending).rejects.toThrow('WebSocket connection closed');
    await expect(target.send('Runtime.releaseObject', { objectId: 'z' })).rejects.toThrow('WebSocket connection closed');
  });

  it('never throws on frames that are not Chrome\'s, and passes them on', () => {
    const { connection, tally } = wire();
    const deep = `{"method":"Runtime.consoleAPICalled","params":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    for (const frame of ['', 'not json', '{"id":', '{"id":12', '{"id":1x', '[1]', 'null', '{"method":"', '{"method":"Runtime.consoleAPICalled","params":null}', deep, '{"id":1,"result":{"result":{"objectId":{}}}}']) {
      expect(() => connection.outgoing(frame)).not.toThrow();
      expect(connection.incoming(frame)).toBe(true);
    }
    expect(tally.totals.held).toBe(0);
  });

  it('a session detached, a target destroyed or the connection closed lets its objects go; a page without sessions leaves the list', () => {
    const { connection, tally } = wire();
    connection.incoming('{"method":"Target.attachedToTarget","params":{"sessionId":"S2","targetInfo":{"targetId":"T2","url":"https://a.test/"},"waitingForDebugger":false}}');
    connection.outgoing(JSON.stringify({ id: 1, method: 'DOM.resolveNode', params: { nodeId: 1 }, sessionId: 'S2' }));
    connection.incoming('{"id":1,"result":{"object":{"type":"object","objectId":"1.1.1"}},"sessionId":"S2"}');
    expect(tally.pages.get('T2')).toMatchObject({ url: 'https://a.test/', held: 1 });
    connection.incoming('{"method":"Target.detachedFromTarget","params":{"sessionId":"S2","targetId":"T2"}}');
    expect(tally.pages.has('T2')).toBe(false);
    expect(tally.totals).toEqual({ held: 0, created: 1, released: 1 });
  });

  it('a session that detaches or crashes: the census\'s own target on it is gone, and a late answer to a command sent on it binds nothing', () => {
    const { connection, tally } = wire();
    const detaching = connection.target('S3');
    const crashing = connection.target('S4');
    connection.outgoing(JSON.stringify({ id: 7, method: 'Runtime.evaluate', params: {}, sessionId: 'S3' }));
    connection.incoming('{"method":"Target.detachedFromTarget","params":{"sessionId":"S3"}}');
    connection.incoming('{"method":"Inspector.targetCrashed","params":{},"sessionId":"S4"}');
    expect([isTargetGone(detaching), isTargetGone(crashing), isTargetGone(connection.target('S5'))]).toEqual([true, true, false]);
    connection.incoming('{"id":7,"result":{"result":{"type":"object","objectId":"1.1.1"}},"sessionId":"S3"}');
    expect(tally.totals.created).toBe(0);
  });
});
