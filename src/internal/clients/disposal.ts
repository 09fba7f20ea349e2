/**
 * Hearing that a client's handle was disposed, and making one read disposed — the same for every
 * client: the handle's own `dispose` is wrapped (or shadowed) on the instance. @internal
 */

/** Who wants to hear that a handle was disposed (the leak net, the live count). Weak. */
const listeners = new WeakMap<object, () => void>();
/** Handles whose own `dispose()` already tells {@link listeners}. */
const intercepted = new WeakSet();

/** Tells the handle's listener, once, that it was disposed. */
export function notifyDisposed(handle: object): void {
  const listener = listeners.get(handle);
  if (listener === undefined) return;
  listeners.delete(handle);
  listener();
}

/**
 * Calls `listener` once when `handle` is disposed — by its own `dispose()` (or `using`, which calls it)
 * or by {@link notifyDisposed}. One listener per handle (the last one set).
 */
export function onDisposed(handle: { dispose(): Promise<void> }, listener: () => void): void {
  listeners.set(handle, listener);
  if (intercepted.has(handle)) return;
  intercepted.add(handle);
  const original = handle.dispose.bind(handle);
  Object.defineProperty(handle, 'dispose', {
    configurable: true,
    writable: true,
    value: () => {
      notifyDisposed(handle);
      return original();
    },
  });
}

/** From now on the handle's `dispose()` sends nothing: its release is the batcher's. */
export function shadowDispose(handle: object): void {
  Object.defineProperty(handle, 'dispose', NO_DISPOSE);
}

/** One descriptor for every handle (no closure per release). */
const NO_DISPOSE: PropertyDescriptor = { configurable: true, writable: true, value: () => Promise.resolve() };
