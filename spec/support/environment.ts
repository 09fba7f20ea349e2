import NodeEnvironment from 'jest-environment-node';

/**
 * Jest's node environment runs tests in their own V8 realm, so an error created by Node's core
 * (a socket write after close, say) is not `instanceof Error` for code loaded in the test.
 * chrome-remote-interface decides "WebSocket error or protocol answer?" with exactly that check, and
 * under Jest crashes on such errors — something that never happens in a real process (checked with
 * the same scenario outside Jest). Make the test realm's `Error` recognise errors of both realms.
 */
export default class CrossRealmErrorEnvironment extends NodeEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    const SandboxError = this.global.Error;
    const outerHasInstance = Function.prototype[Symbol.hasInstance];
    Object.defineProperty(SandboxError, Symbol.hasInstance, {
      // Subclasses (TypeError, RangeError, ...) inherit this method: keep them strict.
      value(this: unknown, value: unknown): boolean {
        if (this === SandboxError && value instanceof Error) return true;
        return outerHasInstance.call(this, value);
      },
    });
  }
}
