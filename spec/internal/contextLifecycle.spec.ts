import { EventEmitter } from 'node:events';
import { TestScheduler } from 'rxjs/testing';
import { ContextBook, contextBookOf, contextKey } from '../../src/internal/contextLifecycle';
import { OpenBatch } from '../../src/internal/counters';
import { FixedWindow } from '../../src/internal/inFlightWindow';
import { ReleaseCall, TargetLane, type LaneHost } from '../../src/internal/lane';
import { ReleaseQueue } from '../../src/internal/queue';
import type { BatchOutcome } from '../../src/outcome';
import type { ReleaseRequest } from '../../src/request';
import type { CdpTarget } from '../../src/target';
import { criSession } from '../../src/criSession';
import { VirtualAnswer } from '../support/virtualTarget';

describe('contextKey', () => {
  it('is the <isolate>.<context> prefix of a V8 object id, and empty for anything else', () => {
    expect(contextKey('-4125963545917435870.3.12')).toBe('-4125963545917435870.3');
    expect(contextKey('7.1.1')).toBe('7.1');
    for (const other of ['', 'abc', '7.1', '.1.2', '7..2', '7.1.', 'guid@1234']) expect(contextKey(other)).toBe('');
  });
});

describe('ContextBook', () => {
  it('judges dead only contexts it saw released and then heard destroyed or cleared', () => {
    const book = new ContextBook();
    book.destroyed('3'); // never seen: nothing known
    expect(book.isDead('9.3.1')).toBe(false); // seen now
    expect(book.isDead('9.4.1')).toBe(false);
    book.destroyed('3');
    expect(book.isDead('9.3.2')).toBe(true);
    expect(book.isDead('9.4.2')).toBe(false);
    book.cleared();
    expect(book.isDead('9.4.3')).toBe(true);
    // Context numbers start over in a new renderer: another isolate is another context.
    book.created('3');
    expect(book.isDead('8.3.1')).toBe(false);
    expect(book.isDead('9.3.5')).toBe(true);
    expect(book.isDead('not-an-id')).toBe(false);
  });

  it('a created context number is no longer tied to the isolate it was last seen in', () => {
    const book = new ContextBook();
    expect(book.isDead('1.5.1')).toBe(false);
    book.created('5'); // the same number, a new isolate: its destruction says nothing of 1.5
    book.destroyed('5');
    expect(book.isDead('1.5.2')).toBe(false);
  });

  it('tells its listeners which context died, undefined for all of them, and only when it saw any', () => {
    const book = new ContextBook();
    const heard: (string | undefined)[] = [];
    const stop = book.listen((key) => heard.push(key));
    book.cleared(); // nothing seen yet
    book.isDead('2.7.1');
    book.isDead('2.8.1');
    book.destroyed('7');
    book.cleared();
    stop();
    book.isDead('3.1.1');
    book.cleared();
    expect(heard).toEqual(['2.7', undefined]);
  });

  it('remembers a bounded number of dead contexts (the oldest forgotten, then merely sent)', () => {
    const book = new ContextBook();
    for (let i = 0; i < 1100; i++) {
      book.isDead(`1.${i}.1`);
      book.destroyed(String(i));
    }
    expect(book.isDead('1.1099.2')).toBe(true);
    expect(book.isDead('1.0.2')).toBe(false);
  });
});

describe('contextBookOf', () => {
  it('hears a CDPSession-like emitter, and none for a target without events', () => {
    const session = Object.assign(new EventEmitter(), { send: () => Promise.resolve({}) });
    const book = contextBookOf(session);
    expect(book).not.toBeNull();
    expect(contextBookOf(session as unknown as CdpTarget)).toBe(book); // hooked once
    book?.isDead('1.2.3');
    session.emit('Runtime.executionContextDestroyed', { executionContextId: 2, executionContextUniqueId: 'x' });
    expect(book?.isDead('1.2.4')).toBe(true);
    expect(contextBookOf({ send: () => Promise.resolve({}) })).toBeNull();
    const refusing = { send: () => Promise.resolve({}), on: () => { throw new Error('no'); } };
    expect(contextBookOf(refusing as unknown as CdpTarget)).toBeNull();
  });

  it('hears a chrome-remote-interface client and its flat sessions apart, by the session id of each event', () => {
    const client = Object.assign(new EventEmitter(), { _ws: {}, send: () => Promise.resolve({}) });
    const root = contextBookOf(client);
    const session = criSession(client, 'S1');
    const flat = contextBookOf(session);
    root?.isDead('1.1.1');
    flat?.isDead('2.1.1');
    client.emit('event', { method: 'Runtime.executionContextsCleared', params: {}, sessionId: 'S1' });
    expect(flat?.isDead('2.1.2')).toBe(true);
    expect(root?.isDead('1.1.2')).toBe(false);
    client.emit('event', { method: 'Runtime.executionContextDestroyed', params: { executionContextId: 1 } });
    expect(root?.isDead('1.1.3')).toBe(true);
    client.emit('event', { method: 'Target.detachedFromTarget', params: { sessionId: 'S1' } });
    client.emit('event', null); // never throws on a malformed message
  });
});

describe('TargetLane and dead contexts', () => {
  class Host implements LaneHost<ReleaseRequest> {
    readonly timeoutMs = 30_000;
    readonly maxBatch = 1;
    readonly owner = null;
    readonly clock = (): number => this.scheduler.now();
    readonly settledAs: string[] = [];
    idles = 0;
    constructor(readonly scheduler: TestScheduler) {}
    sent(): void {}
    idle(): void {
      this.idles++;
    }
    settled(request: ReleaseRequest, batch: OpenBatch, outcome: BatchOutcome, wasSent: boolean): void {
      batch.count(outcome);
      this.settledAs.push(`${request.objectId ?? request.objectGroup ?? ''} ${outcome}${wasSent ? '' : ' unsent'}`);
    }
    targetGone(): void {}
  }

  function pageSession(): { session: EventEmitter & CdpTarget; sent: string[]; answers: VirtualAnswer[] } {
    const sent: string[] = [];
    const answers: VirtualAnswer[] = [];
    const session = Object.assign(new EventEmitter(), {
      send: (_method: string, params: { objectId?: string; objectGroup?: string }) => {
        sent.push(params.objectId ?? params.objectGroup ?? '');
        const answer = new VirtualAnswer();
        answers.push(answer);
        return answer;
      },
    }) as EventEmitter & CdpTarget;
    return { session, sent, answers };
  }

  it('settles the waiting releases of a cleared page gone at once, unsent; those in flight as Chrome answers', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(() => {
      const host = new Host(scheduler);
      const { session, sent, answers } = pageSession();
      const lane = new TargetLane<ReleaseRequest>(session, host, () => new FixedWindow(2));
      const batch = new OpenBatch(1, 100, 0);
      const add = (request: { objectId: string } | { objectGroup: string }): void => lane.add(new ReleaseCall<ReleaseRequest>({ target: session, ...request }, batch));
      for (const n of [1, 2, 3, 4]) add({ objectId: `9.1.${n}` });
      add({ objectGroup: 'scope' });
      add({ objectId: 'not-a-v8-id' });
      expect(sent).toEqual(['9.1.1', '9.1.2']);
      session.emit('Runtime.executionContextsCleared', {});
      expect(host.settledAs).toEqual(['9.1.3 gone unsent', '9.1.4 gone unsent']);
      expect(lane.waiting).toBe(2); // the group and the unknown id are still sent
      add({ objectId: '9.1.5' }); // released after the navigation, of the old page
      expect(host.settledAs.at(-1)).toBe('9.1.5 gone unsent');
      answers[0]?.reject(new Error('Could not find object with given id'));
      answers[1]?.reject(new Error('Could not find object with given id'));
      expect(sent).toEqual(['9.1.1', '9.1.2', 'scope', 'not-a-v8-id']);
      answers[2]?.resolve({});
      answers[3]?.resolve({});
      expect(host.settledAs.slice(3)).toEqual(['9.1.1 gone', '9.1.2 gone', 'scope released', 'not-a-v8-id released']);
      expect(host.idles).toBe(1);
      // A later lane's release, only dead contexts, ends idle at once: nothing is left holding the target.
      const again = new TargetLane<ReleaseRequest>(session, host, () => new FixedWindow(2));
      again.add(new ReleaseCall<ReleaseRequest>({ target: session, objectId: '9.1.6' }, batch));
      expect(host.idles).toBe(2);
      expect(sent).toHaveLength(4);
    });
  });

  it('a destroyed context takes only its own waiting releases', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(() => {
      const host = new Host(scheduler);
      const { session, sent } = pageSession();
      const lane = new TargetLane<ReleaseRequest>(session, host, () => new FixedWindow(1));
      const batch = new OpenBatch(1, 100, 0);
      for (const id of ['9.1.1', '9.2.1', '9.1.2', '9.2.2']) lane.add(new ReleaseCall<ReleaseRequest>({ target: session, objectId: id }, batch));
      session.emit('Runtime.executionContextDestroyed', { executionContextId: 2 });
      expect(host.settledAs).toEqual(['9.2.1 gone unsent', '9.2.2 gone unsent']);
      expect(lane.waiting).toBe(1);
      expect(sent).toEqual(['9.1.1']);
    });
  });
});

describe('ReleaseQueue.extract', () => {
  it('takes out the items picked, oldest first, and keeps the rest in order', () => {
    const queue = new ReleaseQueue<number>();
    for (let i = 0; i < 10; i++) queue.push(i);
    queue.shift();
    expect(queue.extract((n) => n % 3 === 0)).toEqual([3, 6, 9]);
    expect(queue.drain()).toEqual([1, 2, 4, 5, 7, 8]);
  });
});
