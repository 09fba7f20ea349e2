import { Socket } from 'node:net';
import { processWide } from './processState.js';
import type { CdpTarget } from '../target.js';

/** The part of a `net.Socket` that write coalescing needs. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Sockets corked now, until the end of the current tick, with the frames written since each was corked. */
const corked = processWide('corked-sockets@2', () => new WeakMap<object, number>());

/**
 * Frames per corked write, at most. `ws` writes a frame as two buffers, and a `writev` of more than
 * IOV_MAX (1,024) buffers is split by libuv over several turns of the event loop: the write then
 * completes asynchronously, and chrome-remote-interface, which registers a command's callback only
 * when its write has completed, would miss answers Chrome sent to the first frames meanwhile.
 */
export const FRAMES_PER_CORKED_WRITE = 256;

/**
 * The TCP socket under a chrome-remote-interface client (its `ws` WebSocket's `_socket`) or under a
 * {@link criSession} target's client, or null for any other target. Never throws. The dispatcher
 * also takes a non-null answer as "this is chrome-remote-interface" to pick where the adaptive
 * window starts (that client's cost per answer grows with the commands outstanding).
 *
 * Why: `ws` writes every frame with its own `writev` system call, and chrome-remote-interface sends
 * one frame per command, and those writes are a large share of the Node side of a release burst;
 * corking the socket while a batch (or a wave of refills) is sent turns them into one write. Other clients keep their sockets private: their targets
 * are simply not corked.
 */
export function socketOf(target: CdpTarget): Corkable | null {
  try {
    // A client itself, or a criSession() target over one (flat-mode sessions share its socket).
    const client = target as { _ws?: { _socket?: unknown }; client?: { _ws?: { _socket?: unknown } } };
    const ws = client._ws ?? client.client?._ws;
    const socket = ws?._socket as Partial<Corkable> | undefined;
    if (socket && typeof socket.cork === 'function' && typeof socket.uncork === 'function') return socket as Corkable;
  } catch {
    // a hostile or exotic target: no coalescing
  }
  return null;
}

/**
 * Corks `socket` until the current tick's microtasks are done, once per tick; called once per frame
 * about to be written. Every {@link FRAMES_PER_CORKED_WRITE} frames the socket is uncorked (one
 * `writev`) and corked again.
 */
export function corkForThisTick(socket: Corkable): void {
  const frames = corked.get(socket);
  if (frames !== undefined) {
    if (frames < FRAMES_PER_CORKED_WRITE) {
      corked.set(socket, frames + 1);
      return;
    }
    corked.set(socket, 1);
    uncork(socket);
    socket.cork();
    return;
  }
  corked.set(socket, 1);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    uncork(socket);
  });
}

function uncork(socket: Corkable): void {
  try {
    socket.uncork();
  } catch {
    // socket destroyed meanwhile: the client reports that on its calls
  }
}

/** The socket each target's `send` writes to (null: none found), learnt at its first release. */
const probed = processWide('probed-sockets@1', () => new WeakMap<object, Corkable | null>());

/** The socket {@link sendProbingSocket} learnt for `target`: null when none, undefined when not yet probed. */
export function probedSocketOf(target: CdpTarget): Corkable | null | undefined {
  return probed.get(target);
}

/**
 * Calls `send` — one release on `target` — and learns which socket it writes to synchronously, if
 * any: `net.Socket.prototype.write` is watched for the length of that one call, then put back.
 * Why: puppeteer-core's transport keeps its WebSocket in a private field, and `ws` writes every frame
 * with its own `writev` system call — a large share of a release burst's CPU on both ends of the
 * socket. Once its socket is known, a batch's frames are corked into one write, as they are for
 * chrome-remote-interface. A client that sends asynchronously (playwright-core) or not over a socket
 * (a test target) writes nothing during the call: its target is remembered as having none.
 * Relies on Node's `net.Socket` only, nothing of the client.
 */
export function sendProbingSocket<T>(target: CdpTarget, send: () => T): T {
  const proto = Socket.prototype as unknown as { write: (...args: unknown[]) => boolean };
  const write = proto.write;
  let found: Corkable | null = null;
  const wrote = (socket: Corkable): void => {
    found ??= socket;
  };
  proto.write = function watched(this: Socket, ...args: unknown[]): boolean {
    wrote(this);
    return write.apply(this, args);
  };
  try {
    return send();
  } finally {
    proto.write = write;
    probed.set(target, found);
  }
}
