import type { CdpTarget } from '../../target.js';
import { markTargetGone } from '../targetLifecycle.js';
import { isLifecycleEvent, record, type ConnectionTally, type SentCommand } from './tally.js';

/**
 * One connection whose frames the census sees as text: puppeteer-core's transport, or one socket
 * pair of the relay. Frames pass through as they are; a frame is decoded (`JSON.parse`) only when it
 * matters — a command sent, an answer or event that carries an `objectId`, an event that changes
 * what is held. Other answers are matched to their command by the id at the frame's start.
 *
 * Chrome writes answers as `{"id":N,"result"|"error":…,"sessionId":…}` and events as
 * `{"method":"…","params":…}`: that order is what the fast path reads. A frame in another shape is
 * decoded whole, and one that is not JSON at all is passed on untouched (Chrome answers it with a
 * parse error).
 *
 * The census's own commands (releasing console arguments) go on the same wire with ids from
 * {@link OWN_IDS_FROM} up — a range no client reaches — and their answers are taken off the wire
 * before the client sees them.
 */

/** The target id in a `/devtools/page/<id>` URL, else `(browser)`. */
export function rootTargetOf(url: string | undefined): string {
  const page = /\/devtools\/(?:page|worker|iframe|shared_worker|service_worker)\/([^/?#]+)/.exec(url ?? '');
  return page?.[1] ?? '(browser)';
}

/** A frame as it crosses the wire. */
export type Frame = string | Buffer;

/** The first id the census uses for its own commands. CDP ids are 32-bit; clients count up from 1. */
export const OWN_IDS_FROM = 2_000_000_000;

const ID_PREFIX = '{"id":';
const METHOD_PREFIX = '{"method":"';

function startsWith(frame: Frame, prefix: string): boolean {
  if (typeof frame === 'string') return frame.startsWith(prefix);
  if (frame.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (frame[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

function codeAt(frame: Frame, at: number): number {
  return typeof frame === 'string' ? frame.charCodeAt(at) : (frame[at] ?? -1);
}

/** The answer's id and whether it is an error, read from `{"id":N,"result"` / `{"id":N,"error"`. */
function answerHead(frame: Frame): { id: number; error: boolean } | undefined {
  if (!startsWith(frame, ID_PREFIX)) return undefined;
  let at = ID_PREFIX.length;
  let id = 0;
  let digits = 0;
  for (let c = codeAt(frame, at); c >= 48 && c <= 57 && digits < 12; c = codeAt(frame, ++at), digits++) id = id * 10 + (c - 48);
  // `,"e` or `,"r`: the key that follows the id.
  if (digits === 0 || codeAt(frame, at) !== 44 || codeAt(frame, at + 1) !== 34) return undefined;
  const key = codeAt(frame, at + 2);
  if (key !== 101 && key !== 114) return undefined;
  return { id, error: key === 101 };
}

/** The event's method, read from `{"method":"…"`. */
function eventHead(frame: Frame): string | undefined {
  if (!startsWith(frame, METHOD_PREFIX)) return undefined;
  const from = METHOD_PREFIX.length;
  const to = typeof frame === 'string' ? frame.indexOf('"', from) : frame.indexOf(34, from);
  if (to < 0 || to - from > 100) return undefined;
  return typeof frame === 'string' ? frame.slice(from, to) : frame.toString('latin1', from, to);
}

function carriesObjectId(frame: Frame): boolean {
  return frame.includes('"objectId"');
}

function decode(frame: Frame): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(typeof frame === 'string' ? frame : frame.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}


function errorText(error: unknown): string {
  const message = record(error)['message'];
  return typeof message === 'string' ? message : 'CDP error';
}

/** A target the census sends its own commands on: the wire itself. */
export interface OwnTarget extends CdpTarget {
  send(method: string, params?: object): Promise<unknown>;
}

/** What a wire tells the census about besides the tally: the console arguments it saw arrive. */
export interface WireHooks {
  consoleArguments?(target: OwnTarget, objectIds: readonly string[]): void;
}

interface OwnCommand {
  readonly command: SentCommand;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** The gone message every client's error classification reads as "the connection is gone". */
const CLOSED = 'WebSocket connection closed';

export class WireConnection {
  readonly #own = new Map<number, OwnCommand>();
  readonly #targets = new Map<string, OwnTarget>();
  #nextOwnId = OWN_IDS_FROM;
  #closed = false;

  constructor(
    private readonly tally: ConnectionTally,
    private readonly write: (text: string) => void,
    private readonly hooks: WireHooks = {},
  ) {}

  /** A frame the client sends: remembered by id until its answer. */
  outgoing(frame: Frame): void {
    const message = decode(frame);
    if (message === undefined) return;
    const { id, method, sessionId } = message;
    if (typeof id !== 'number' || typeof method !== 'string') return;
    this.tally.sent(id, { method, params: record(message['params']), sessionId: typeof sessionId === 'string' ? sessionId : '' });
  }

  /** A frame from Chrome. False when it answers one of the census's own commands (not for the client). */
  incoming(frame: Frame): boolean {
    try {
      return this.#incoming(frame);
    } catch {
      // A frame the census cannot read is still the client's.
      return true;
    }
  }

  /** The connection closed: the census's own commands fail as gone, every session is gone. */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const own of this.#own.values()) own.reject(new Error(CLOSED));
    this.#own.clear();
    for (const target of this.#targets.values()) markTargetGone(target);
    this.#targets.clear();
    this.tally.closed();
  }

  /** The census's own target on `sessionId` (`''`: the connection's own session). */
  target(sessionId: string): OwnTarget {
    let target = this.#targets.get(sessionId);
    if (target === undefined) {
      target = { send: (method: string, params?: object) => this.#sendOwn(method, record(params), sessionId) };
      this.#targets.set(sessionId, target);
    }
    return target;
  }

  #sendOwn(method: string, params: Readonly<Record<string, unknown>>, sessionId: string): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error(CLOSED));
    const id = this.#nextOwnId++;
    const command: SentCommand = { method, params, sessionId };
    return new Promise((resolve, reject) => {
      this.#own.set(id, { command, resolve, reject });
      try {
        this.write(JSON.stringify(sessionId === '' ? { id, method, params } : { id, method, params, sessionId }));
      } catch (error) {
        this.#own.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  #incoming(frame: Frame): boolean {
    const answer = answerHead(frame);
    if (answer !== undefined) {
      // The body is decoded only when it is needed: for the census's own command, or when it carries objects.
      return this.#answer(answer.id, answer.error, (needed) => (needed || carriesObjectId(frame) ? decode(frame) : undefined));
    }
    const method = eventHead(frame);
    if (method !== undefined && !isLifecycleEvent(method) && !carriesObjectId(frame)) return true;
    const message = decode(frame);
    if (message === undefined) return true;
    // An answer in a shape the fast path does not read.
    if (method === undefined && typeof message['id'] === 'number') return this.#answer(message['id'], message['error'] !== undefined, () => message);
    if (typeof message['method'] !== 'string') return true;
    this.#event(message['method'], record(message['params']), typeof message['sessionId'] === 'string' ? message['sessionId'] : '');
    return true;
  }

  /**
   * The answer to command `id`, told to the tally and, for the census's own command, to its sender.
   * `body(needed)` gives the decoded frame (`needed`: the caller must have it). False when the answer
   * is the census's own (not for the client).
   */
  #answer(id: number, failed: boolean, body: (needed: boolean) => Record<string, unknown> | undefined): boolean {
    const own = this.#own.get(id);
    const command = own?.command ?? this.tally.take(id);
    if (command === undefined) return true;
    this.#own.delete(id);
    const message = body(own !== undefined || command.method === 'Target.attachToTarget');
    const result = failed ? undefined : (message?.['result'] ?? {});
    this.tally.answered(command, result);
    if (own === undefined) return true;
    if (failed) own.reject(new Error(errorText(message?.['error'])));
    else own.resolve(result);
    return false;
  }

  #event(method: string, params: Readonly<Record<string, unknown>>, sessionId: string): void {
    const consoleIds = this.tally.event(method, params, sessionId);
    if (consoleIds.length > 0) this.hooks.consoleArguments?.(this.target(sessionId), consoleIds);
    // The census's own target on a session that detached or crashed is gone with it.
    const ended = method === 'Target.detachedFromTarget' ? params['sessionId'] : method === 'Inspector.targetCrashed' ? sessionId : undefined;
    const target = typeof ended === 'string' ? this.#targets.get(ended) : undefined;
    if (target !== undefined) {
      this.#targets.delete(ended as string);
      markTargetGone(target);
    }
  }
}
