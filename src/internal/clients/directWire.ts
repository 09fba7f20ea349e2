/**
 * The pending calls of one connection whose releases the library writes itself, under message ids of
 * its own ({@link DIRECT_IDS_FROM} up, a range clients never reach: they count up from 1; the census's
 * own commands use 2,000,000,000 up). Their answers are taken off before the client looks for a
 * callback it does not have. Shared by the chrome-remote-interface and puppeteer-core wires.
 * @internal
 */

/** The first id of the library's own release messages. */
export const DIRECT_IDS_FROM = 1_500_000_000;

/**
 * How a release sent on a wire failed: Chrome's error (its message and code), or the connection's
 * end. Made without a stack trace: thousands come at once after a navigation, and only the outcome
 * classifier reads them, by message and code.
 */
export class WireError extends Error {
  override readonly name = 'WireError';
  readonly code: unknown;

  constructor(message: string, code?: unknown) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
  }
}

/** A send on a client's own wire: one message, one answer. */
export type DirectSend = (method: string, params: object) => Promise<unknown>;

interface PendingCall {
  readonly resolve: (result: unknown) => void;
  readonly reject: (failure: WireError) => void;
}

/** The ids a wire has out, and what to tell each of them. @internal */
export class PendingCalls {
  readonly #calls = new Map<number, PendingCall>();
  #nextId = DIRECT_IDS_FROM;
  #ended: WireError | null = null;

  /** Reserves an id and calls `write(id)`; the promise settles with Chrome's answer to it. */
  call(write: (id: number) => void): Promise<unknown> {
    const ended = this.#ended;
    if (ended !== null) return Promise.reject(ended);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject });
      try {
        write(id);
      } catch (error) {
        this.#calls.delete(id);
        reject(error instanceof Error ? error : new WireError(String(error)));
      }
    });
  }

  /**
   * Takes `message` when it answers one of this wire's calls, and settles that call (`before` is
   * called first). False when it is not ours (the client's own answer, or an event).
   */
  answer(message: unknown, before?: () => void): boolean {
    if (typeof message !== 'object' || message === null) return false;
    const { id, result, error } = message as { id?: unknown; result?: unknown; error?: unknown };
    if (typeof id !== 'number' || id < DIRECT_IDS_FROM) return false;
    const call = this.#calls.get(id);
    if (call === undefined) return false;
    this.#calls.delete(id);
    before?.();
    if (error === undefined) call.resolve(result ?? {});
    else {
      const { message: text, code } = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; code?: unknown };
      call.reject(new WireError(typeof text === 'string' ? text : 'CDP error', code));
    }
    return true;
  }

  /** The connection or session ended: every call out fails with `failure`, and so do later ones. */
  end(failure: WireError): void {
    this.#ended = failure;
    for (const call of this.#calls.values()) call.reject(failure);
    this.#calls.clear();
  }
}
