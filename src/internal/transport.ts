import { processWide } from './processState.js';
import type { CdpTarget } from '../target.js';

/** The part of a `net.Socket` that write coalescing needs. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Sockets corked now, until the end of the current tick. */
const corked = processWide('corked-sockets@1', () => new WeakSet());

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

/** Corks `socket` until the current tick's microtasks are done, once per tick. */
export function corkForThisTick(socket: Corkable): void {
  if (corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    try {
      socket.uncork();
    } catch {
      // socket destroyed meanwhile: the client reports that on its calls
    }
  });
}
