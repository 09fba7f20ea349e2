/**
 * The census's bookkeeping: which remote objects Chrome holds for each DevTools session, read from
 * the protocol messages alone. It knows nothing of sockets or clients: the wires (`wire.ts`,
 * `criObserver.ts`) hand it the commands sent, their answers and the events, already parsed.
 *
 * The rules are Chrome's (V8's inspector, measured on Chromium 156):
 * - every `objectId` in an answer or an event is one object bound to that session until it is let go;
 * - its group is the command's `objectGroup`, else the group of the object the command was about
 *   (`objectId`, `promiseObjectId`: `getProperties` children and `awaitPromise` results inherit it);
 *   console arguments and reported exceptions are in `console`, a paused debugger's frames in
 *   `backtrace` (let go when it resumes);
 * - an object id reads `<isolate>.<context>.<n>`: destroying context `<context>` lets its objects go,
 *   `Runtime.executionContextsCleared` (a navigation) lets all of the session's go, and so do the
 *   session detaching, the target crashing or closing, and the connection closing;
 * - V8 also keeps the last 1,000 console messages of a page with their arguments held (whether or not
 *   a session listens) until `Runtime.discardConsoleEntries` or a navigation: the census counts the
 *   object arguments of each message it sees as held by `console storage`.
 */

import type { ReleasedBy } from '../../censusSnapshot.js';

export type { ReleasedBy };

/** What the census keeps per held object (one small record; its key is the object id). */
interface Held {
  readonly group: string | undefined;
  readonly createdBy: string;
  readonly at: number;
}

/** The `heldBy` key of the objects V8 keeps with its stored console messages. */
export const CONSOLE_STORAGE = 'console storage';

/** V8's `maxConsoleMessageCount`: a page's storage keeps its last 1,000 console messages. */
const CONSOLE_STORAGE_MESSAGES = 1000;

/** A stored console message: its context and how many object arguments it holds. */
interface StoredMessage {
  readonly context: string;
  readonly objects: number;
}

/** One page (any target: page, iframe, worker) and what its sessions hold. */
export class PageTally {
  url = '';
  held = 0;
  created = 0;
  released = 0;
  readonly releasedBy: Record<ReleasedBy, number> = { id: 0, group: 0, gone: 0, discarded: 0 };
  readonly heldBy = new Map<string, number>();
  readonly sessions = new Set<SessionTally>();
  /** V8's console storage of the page, keyed by context and timestamp (every session sees the same messages). */
  readonly storage = new Map<string, StoredMessage>();
  storageSince = 0;

  constructor(readonly targetId: string) {}

  /** Age of the oldest object held, over its sessions (each session's map is in creation order). */
  oldestAt(): number | null {
    let oldest: number | null = null;
    for (const session of this.sessions) {
      const first = session.objects.values().next();
      if (!first.done && (oldest === null || first.value.at < oldest)) oldest = first.value.at;
    }
    if (this.storage.size > 0 && (oldest === null || this.storageSince < oldest)) oldest = this.storageSince;
    return oldest;
  }
}

/** One DevTools session: the objects bound to it, by id and by group. */
export class SessionTally {
  readonly objects = new Map<string, Held>();
  readonly groups = new Map<string, Set<string>>();
  constructor(readonly page: PageTally) {}
}

/** A command sent and not yet answered: what its answer will be about. */
export interface SentCommand {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly sessionId: string;
}

/** The events that carry no object but change what is held, or which page a session is. */
const LIFECYCLE_EVENTS = new Set([
  'Runtime.executionContextDestroyed', 'Runtime.executionContextsCleared', 'Target.attachedToTarget',
  'Target.detachedFromTarget', 'Target.targetDestroyed', 'Target.targetCrashed', 'Target.targetInfoChanged',
  'Inspector.detached', 'Inspector.targetCrashed', 'Debugger.resumed', 'Page.frameNavigated',
  'Runtime.consoleAPICalled', 'Runtime.exceptionThrown',
]);

/** True when an event of this method matters to the census even if it carries no `objectId`. */
export function isLifecycleEvent(method: string): boolean {
  return LIFECYCLE_EVENTS.has(method);
}

/** The group V8 puts an event's objects in. */
function eventGroup(method: string): string | undefined {
  if (method === 'Runtime.consoleAPICalled' || method === 'Runtime.exceptionThrown') return 'console';
  if (method === 'Debugger.paused') return 'backtrace';
  return undefined;
}

/** The `<context>` part of `<isolate>.<context>.<n>`, or `''` for another format. */
function contextOf(objectId: string): string {
  const first = objectId.indexOf('.');
  const second = first < 0 ? -1 : objectId.indexOf('.', first + 1);
  return second < 0 ? '' : objectId.slice(first + 1, second);
}

// A message nested deeper than this is not Chrome's; the walk stops there instead of overflowing.
const MAX_DEPTH = 64;

/** Calls `found` for every `objectId` string in a parsed answer or event (of any object but a symbol). */
function eachObjectId(value: unknown, found: (id: string) => void, depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) eachObjectId(item, found, depth + 1);
    return;
  }
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (key === 'objectId') {
      // A symbol is not counted: the well-known ones live outside the heap, where no snapshot sees them.
      if (typeof child === 'string' && (value as Record<string, unknown>)['type'] !== 'symbol') found(child);
    } else if (typeof child === 'object') {
      eachObjectId(child, found, depth + 1);
    }
  }
}

const NO_IDS: readonly string[] = [];

/** The object ids among a `Runtime.consoleAPICalled` event's arguments. */
function consoleArgumentIds(params: Readonly<Record<string, unknown>>): string[] {
  const args = params['args'];
  if (!Array.isArray(args)) return [];
  const ids: string[] = [];
  for (const arg of args as unknown[]) {
    const id = record(arg)['objectId'];
    if (typeof id === 'string') ids.push(id);
  }
  return ids;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` as a record to read fields of, or `{}` when it is not an object. */
export function record(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null ? value as Record<string, unknown> : {};
}

/** Process-level figures (all pages, including those gone). */
export interface Totals {
  held: number;
  created: number;
  released: number;
}

/** The census's state: its pages, and the totals over everything observed. */
export class HeldObjectTally {
  readonly pages = new Map<string, PageTally>();
  readonly totals: Totals = { held: 0, created: 0, released: 0 };

  constructor(readonly now: () => number, private readonly changed: () => void) {}

  /** The page of `targetId`, made when first seen. */
  page(targetId: string): PageTally {
    let page = this.pages.get(targetId);
    if (page === undefined) {
      page = new PageTally(targetId);
      this.pages.set(targetId, page);
    }
    return page;
  }

  /** A connection's view: its sessions by id (`''` is the connection's own). */
  connection(rootTargetId: string): ConnectionTally {
    return new ConnectionTally(this, rootTargetId);
  }

  created(page: PageTally, by: string, count = 1): void {
    page.held += count;
    page.created += count;
    page.heldBy.set(by, (page.heldBy.get(by) ?? 0) + count);
    this.totals.held += count;
    this.totals.created += count;
    this.changed();
  }

  released(page: PageTally, by: string, how: ReleasedBy, count = 1): void {
    page.held -= count;
    page.released += count;
    page.releasedBy[how] += count;
    const left = (page.heldBy.get(by) ?? 0) - count;
    if (left > 0) page.heldBy.set(by, left);
    else page.heldBy.delete(by);
    this.totals.held -= count;
    this.totals.released += count;
    this.changed();
  }

  /** Stores a console message in the page's storage (once, whichever session reported it). */
  stored(page: PageTally, key: string, context: string, objects: number): void {
    if (page.storage.has(key)) return;
    if (page.storage.size === 0) page.storageSince = this.now();
    page.storage.set(key, { context, objects });
    if (objects > 0) this.created(page, CONSOLE_STORAGE, objects);
    if (page.storage.size > CONSOLE_STORAGE_MESSAGES) {
      const [oldestKey, oldest] = page.storage.entries().next().value as [string, StoredMessage];
      page.storage.delete(oldestKey);
      if (oldest.objects > 0) this.released(page, CONSOLE_STORAGE, 'discarded', oldest.objects);
    }
  }

  /** Lets stored messages go: all of them, or those of one context. */
  discardStorage(page: PageTally, how: ReleasedBy, context?: string): void {
    for (const [key, message] of page.storage) {
      if (context !== undefined && message.context !== context) continue;
      page.storage.delete(key);
      if (message.objects > 0) this.released(page, CONSOLE_STORAGE, how, message.objects);
    }
  }

  /** The page leaves the list once no session of it is left; what it stored goes with it. */
  leaveIfUnobserved(page: PageTally): void {
    if (page.sessions.size > 0 || this.pages.get(page.targetId) !== page) return;
    this.discardStorage(page, 'gone');
    this.pages.delete(page.targetId);
    this.changed();
  }

  /** Lets object `id` of `session` go. */
  letGo(session: SessionTally | undefined, id: string, how: ReleasedBy): void {
    const held = session?.objects.get(id);
    if (session === undefined || held === undefined) return;
    session.objects.delete(id);
    if (held.group !== undefined) session.groups.get(held.group)?.delete(id);
    this.released(session.page, held.createdBy, how);
  }

  /** Lets every object of `group` in `session` go. */
  letGroupGo(session: SessionTally | undefined, group: string, how: ReleasedBy): void {
    const members = session?.groups.get(group);
    if (session === undefined || members === undefined) return;
    session.groups.delete(group);
    for (const id of members) {
      const held = session.objects.get(id);
      if (held === undefined) continue;
      session.objects.delete(id);
      this.released(session.page, held.createdBy, how);
    }
  }

  /**
   * `Runtime.discardConsoleEntries`: V8 clears the page's storage and releases the `console` group
   * of every session on the page.
   */
  discardConsole(page: PageTally): void {
    for (const session of page.sessions) this.letGroupGo(session, 'console', 'discarded');
    this.discardStorage(page, 'discarded');
  }
}

/** One connection's sessions and the commands it has in flight. */
export class ConnectionTally {
  readonly #sessions = new Map<string, SessionTally>();
  readonly #targets = new Map<string, string>();
  readonly #inFlight = new Map<number, SentCommand>();

  constructor(private readonly tally: HeldObjectTally, rootTargetId: string) {
    this.#targets.set('', rootTargetId);
  }

  /** The session of `sessionId`, made (on its page) when first seen. */
  session(sessionId: string): SessionTally {
    let session = this.#sessions.get(sessionId);
    if (session === undefined) {
      const page = this.tally.page(this.#targets.get(sessionId) ?? `session:${sessionId}`);
      session = new SessionTally(page);
      page.sessions.add(session);
      this.#sessions.set(sessionId, session);
    }
    return session;
  }

  /** A command the client sent under `id`, remembered until its answer (or its session's end). */
  sent(id: number, command: SentCommand): void {
    this.#inFlight.set(id, command);
  }

  /** The command sent under `id` and not yet answered, taken out of those in flight. */
  take(id: number): SentCommand | undefined {
    const command = this.#inFlight.get(id);
    if (command !== undefined) this.#inFlight.delete(id);
    return command;
  }

  /** The answer of `command`: `result` when it succeeded, `undefined` when Chrome answered an error. */
  answered(command: SentCommand, result: unknown): void {
    const { method, params, sessionId } = command;
    if (method === 'Runtime.releaseObject') {
      const id = text(params['objectId']);
      if (id !== undefined) this.tally.letGo(this.#sessions.get(sessionId), id, 'id');
      return;
    }
    if (method === 'Runtime.releaseObjectGroup') {
      const group = text(params['objectGroup']);
      if (group !== undefined) this.tally.letGroupGo(this.#sessions.get(sessionId), group, 'group');
      return;
    }
    if (result === undefined) return;
    if (method === 'Runtime.discardConsoleEntries') {
      const session = this.#sessions.get(sessionId);
      if (session !== undefined) this.tally.discardConsole(session.page);
      return;
    }
    if (method === 'Target.attachToTarget') {
      const attached = text(record(result)['sessionId']);
      const targetId = text(params['targetId']);
      if (attached !== undefined && targetId !== undefined) this.#attached(attached, targetId, undefined);
      return;
    }
    const parentId = text(params['objectId']) ?? text(params['promiseObjectId']);
    const group = text(params['objectGroup']) ?? (parentId === undefined ? undefined : this.#sessions.get(sessionId)?.objects.get(parentId)?.group);
    eachObjectId(result, (id) => this.#bind(this.session(sessionId), id, group, method));
  }

  /** An event on `sessionId`. Returns the object ids of a console message's arguments (none for other events). */
  event(method: string, params: Readonly<Record<string, unknown>>, sessionId: string): readonly string[] {
    if (method !== 'Runtime.consoleAPICalled') {
      this.#event(method, params, sessionId, NO_IDS);
      return NO_IDS;
    }
    const ids = consoleArgumentIds(params);
    this.#event(method, params, sessionId, ids);
    return ids;
  }

  #event(method: string, params: Readonly<Record<string, unknown>>, sessionId: string, consoleIds: readonly string[]): void {
    switch (method) {
      case 'Runtime.executionContextDestroyed': {
        const session = this.#sessions.get(sessionId);
        const context = params['executionContextId'];
        if (session !== undefined && typeof context === 'number') this.#contextGone(session, String(context));
        return;
      }
      case 'Runtime.executionContextsCleared': {
        const session = this.#sessions.get(sessionId);
        if (session !== undefined) this.#contextGone(session, undefined);
        return;
      }
      case 'Target.attachedToTarget': {
        const info = record(params['targetInfo']);
        const attached = text(params['sessionId']);
        const targetId = text(info['targetId']);
        if (attached !== undefined && targetId !== undefined) this.#attached(attached, targetId, text(info['url']));
        return;
      }
      case 'Target.detachedFromTarget': {
        const detached = text(params['sessionId']);
        if (detached !== undefined) this.#sessionGone(detached);
        return;
      }
      case 'Target.targetDestroyed':
      case 'Target.targetCrashed': {
        const targetId = text(params['targetId']);
        for (const [id, target] of this.#targets) if (target === targetId && id !== '') this.#sessionGone(id);
        const page = targetId === undefined ? undefined : this.tally.pages.get(targetId);
        if (page !== undefined) this.tally.discardStorage(page, 'gone');
        return;
      }
      case 'Target.targetInfoChanged': {
        const info = record(params['targetInfo']);
        const page = this.tally.pages.get(text(info['targetId']) ?? '');
        const url = text(info['url']);
        if (page !== undefined && url !== undefined) page.url = url;
        return;
      }
      case 'Inspector.detached':
      case 'Inspector.targetCrashed': {
        const session = this.#sessions.get(sessionId);
        if (session !== undefined) this.tally.discardStorage(session.page, 'gone');
        this.#sessionGone(sessionId);
        return;
      }
      case 'Debugger.resumed':
        this.tally.letGroupGo(this.#sessions.get(sessionId), 'backtrace', 'group');
        return;
      case 'Page.frameNavigated': {
        const frame = record(params['frame']);
        const url = text(frame['url']);
        if (frame['parentId'] === undefined && url !== undefined) this.session(sessionId).page.url = url;
        return;
      }
      default:
        break;
    }
    const group = eventGroup(method);
    eachObjectId(params, (id) => this.#bind(this.session(sessionId), id, group, method));
    if (method === 'Runtime.consoleAPICalled' || method === 'Runtime.exceptionThrown') {
      const session = this.session(sessionId);
      const context = params['executionContextId'] ?? record(params['exceptionDetails'])['executionContextId'];
      const key = `${method}|${String(context)}|${String(params['timestamp'])}`;
      this.tally.stored(session.page, key, String(context), consoleIds.length);
    }
  }

  /** The connection closed: every session on it is gone, and nothing in flight will be answered. */
  closed(): void {
    for (const id of [...this.#sessions.keys()]) this.#sessionGone(id);
    this.#inFlight.clear();
  }

  /** The url of the connection's own target, when it is known another way. */
  setRootUrl(url: string): void {
    this.session('').page.url = url;
  }

  #attached(sessionId: string, targetId: string, url: string | undefined): void {
    this.#targets.set(sessionId, targetId);
    const session = this.session(sessionId);
    if (url !== undefined) session.page.url = url;
  }

  #bind(session: SessionTally, id: string, group: string | undefined, by: string): void {
    if (session.objects.has(id)) return;
    session.objects.set(id, { group, createdBy: by, at: this.tally.now() });
    if (group !== undefined) {
      let members = session.groups.get(group);
      if (members === undefined) session.groups.set(group, members = new Set());
      members.add(id);
    }
    this.tally.created(session.page, by);
  }

  /** A context destroyed (or, with `undefined`, all of the session's contexts cleared). */
  #contextGone(session: SessionTally, context: string | undefined): void {
    for (const id of [...session.objects.keys()]) if (context === undefined || contextOf(id) === context) this.tally.letGo(session, id, 'gone');
    this.tally.discardStorage(session.page, 'gone', context);
  }

  #sessionGone(sessionId: string): void {
    // A session that detached or crashed answers nothing more: its commands in flight are forgotten.
    for (const [id, command] of this.#inFlight) if (command.sessionId === sessionId) this.#inFlight.delete(id);
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return;
    for (const id of [...session.objects.keys()]) this.tally.letGo(session, id, 'gone');
    this.#sessions.delete(sessionId);
    if (sessionId !== '') this.#targets.delete(sessionId);
    session.page.sessions.delete(session);
    this.tally.leaveIfUnobserved(session.page);
  }
}
