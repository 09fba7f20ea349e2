import type { CdpTarget } from '../target.js';
import { processWide } from './processState.js';

/**
 * Which execution contexts of a target are known to be destroyed, so that a release of an object
 * that lived in one is settled `gone` at once instead of being sent (Chrome can only answer it with
 * an error). An object id carries its context: `<isolate>.<context>.<n>`; its `<isolate>.<context>`
 * prefix is the key here (context numbers start over in a new renderer process, the isolate part
 * tells them apart).
 *
 * What is learned, and from where — the target's own `Runtime` events, which a client that enabled
 * the `Runtime` domain receives (puppeteer-core always does on its page sessions):
 * - `Runtime.executionContextsCleared` (a navigation): every context whose objects this book has
 *   seen released so far is dead, and every release of it still waiting is settled.
 * - `Runtime.executionContextDestroyed`: that context number, in the isolate it was last seen in.
 * - `Runtime.executionContextCreated`: that number is alive again (in a new isolate).
 * A context never seen in a release is never judged dead: an id the book cannot place is sent, so
 * no release is lost to a guess — at worst it is sent and answered `gone`.
 *
 * Hooked once per target, process-wide; nothing here keeps a target alive.
 * @internal
 */
export class ContextBook {
  /** Keys of contexts known destroyed; bounded (the oldest forgotten first: then merely sent). */
  readonly #dead = new Set<string>();
  /** Keys seen in releases since the last clear, by context number (the latest isolate's). */
  readonly #seen = new Map<string, string>();
  /** The key of the last release noted, when still alive: most releases share it. */
  #lastKey = '';
  /** Each lane with releases for this target: told `key`, or `undefined` for "all seen so far". */
  readonly #listeners = new Set<(key: string | undefined) => void>();

  /**
   * Notes the release of `objectId` and says whether its context is known destroyed. Cheap when the
   * id shares its context with the last one noted.
   */
  isDead(objectId: string): boolean {
    const last = this.#lastKey;
    if (last !== '' && objectId.startsWith(last) && objectId.charCodeAt(last.length) === DOT) return false;
    const key = contextKey(objectId);
    if (key === '') return false;
    if (this.#dead.has(key)) return true;
    this.#lastKey = key;
    this.#seen.set(key.slice(key.indexOf('.') + 1), key);
    return false;
  }

  /** Calls `listener` when contexts die; returns the function that stops listening. */
  listen(listener: (key: string | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  created(context: string): void {
    const key = this.#seen.get(context);
    if (key !== undefined) this.#seen.delete(context);
    // The same number in a new isolate has another key; the old key stays dead.
  }

  destroyed(context: string): void {
    const key = this.#seen.get(context);
    if (key === undefined) return; // never seen in a release: nothing waits for it
    this.#seen.delete(context);
    this.#kill(key);
    for (const listener of [...this.#listeners]) listener(key);
  }

  cleared(): void {
    if (this.#seen.size === 0) return;
    for (const key of this.#seen.values()) this.#kill(key);
    this.#seen.clear();
    for (const listener of [...this.#listeners]) listener(undefined);
  }

  #kill(key: string): void {
    if (this.#lastKey === key) this.#lastKey = '';
    this.#dead.add(key);
    if (this.#dead.size > MAX_DEAD) this.#dead.delete(this.#dead.values().next().value as string);
  }
}

const DOT = 46;
/** Dead contexts remembered per target: a long crawl over one session navigates thousands of times. */
const MAX_DEAD = 1024;

/** The `<isolate>.<context>` prefix of `<isolate>.<context>.<n>`, or `''` for any other id. */
export function contextKey(objectId: string): string {
  const first = objectId.indexOf('.');
  if (first <= 0) return '';
  const second = objectId.indexOf('.', first + 1);
  return second <= first + 1 || second === objectId.length - 1 ? '' : objectId.slice(0, second);
}

/** Each hooked target's book (null: a target without events, hooked and found wanting). */
const books = processWide('context-books@1', () => new WeakMap<object, ContextBook | null>());

type Listener = (params: unknown, sessionId?: string) => void;
interface Emitter {
  on(event: string, listener: Listener): unknown;
}

/**
 * The context book of `target`, hooking its events the first time; null for a target whose
 * contexts cannot be heard (no `on`, or one that throws). Never throws.
 * @internal
 */
export function contextBookOf(target: CdpTarget): ContextBook | null {
  let book = books.get(target);
  if (book !== undefined) return book;
  book = hook(target);
  books.set(target, book);
  return book;
}

/** A number as the key part it is in an object id. */
function numberText(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : undefined;
}

function feed(book: ContextBook, method: string, params: unknown): void {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  if (method === 'Runtime.executionContextsCleared') book.cleared();
  else if (method === 'Runtime.executionContextDestroyed') {
    const context = numberText(p['executionContextId']);
    if (context !== undefined) book.destroyed(context);
  } else if (method === 'Runtime.executionContextCreated') {
    const context = numberText((p['context'] as { id?: unknown } | undefined)?.id);
    if (context !== undefined) book.created(context);
  }
}

const METHODS = ['Runtime.executionContextsCleared', 'Runtime.executionContextDestroyed', 'Runtime.executionContextCreated'] as const;

function hook(target: CdpTarget): ContextBook | null {
  try {
    const t = target as { on?: unknown; _ws?: unknown; client?: unknown; sessionId?: unknown };
    // chrome-remote-interface: the client itself (its root session's events carry no session id),
    // or a criSession() over one (its events carry its session id).
    if (typeof t.on === 'function' && '_ws' in t) return hookCri(t as unknown as Emitter, undefined);
    const client = t.client as { on?: unknown; _ws?: unknown } | undefined;
    if (typeof t.sessionId === 'string' && client !== undefined && typeof client.on === 'function' && '_ws' in client) {
      return hookCri(client as Emitter, t.sessionId);
    }
    // puppeteer-core's and playwright-core's CDPSession: the session's own events.
    if (typeof t.on !== 'function') return null;
    const book = new ContextBook();
    for (const method of METHODS) (t as unknown as Emitter).on(method, (params) => feed(book, method, params));
    return book;
  } catch {
    return null; // an emitter that refuses: releases are sent as usual
  }
}

/** Per chrome-remote-interface client: its sessions' books by session id (`''`: the root session). */
const criBooks = processWide('cri-context-books@1', () => new WeakMap<object, Map<string, ContextBook>>());

/** One `event` listener per client feeds every session's book; a detached session's book is dropped. */
function hookCri(client: Emitter, sessionId: string | undefined): ContextBook {
  let bySession = criBooks.get(client);
  if (bySession === undefined) {
    const map = new Map<string, ContextBook>();
    bySession = map;
    criBooks.set(client, map);
    client.on('event', (message) => {
      const { method, params, sessionId: id } = (message ?? {}) as { method?: unknown; params?: unknown; sessionId?: unknown };
      if (typeof method !== 'string' || !method.startsWith('Runtime.executionContext')) {
        if (method === 'Target.detachedFromTarget') map.delete(String((params as { sessionId?: unknown } | undefined)?.sessionId));
        return;
      }
      const book = map.get(typeof id === 'string' ? id : '');
      if (book !== undefined) feed(book, method, params);
    });
  }
  const key = sessionId ?? '';
  let book = bySession.get(key);
  if (book === undefined) {
    book = new ContextBook();
    bySession.set(key, book);
  }
  return book;
}
