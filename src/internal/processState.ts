/**
 * Process-wide state, one record per owner: what must exist once per process, not once per copy of
 * the code.
 *
 * Why on `globalThis`: a package loaded both as ESM and as CommonJS in one process (an ESM app with a
 * CommonJS dependency that uses the library, or the reverse) is two copies of every module, so
 * module-level variables exist twice — `initReleaseWorker()` through `import` and through `require`
 * would make two workers, and a target marked gone through one copy would be unknown to the other.
 * Each owner keeps its record under a registered symbol instead, named for it and versioned: copies
 * with the same layout share it, and a copy with another layout keeps its own rather than misreading
 * it. Owners keep targets and clients only in weak collections.
 */

const holder = globalThis as unknown as Record<symbol, unknown>;

/**
 * The process-wide record `name` (with its layout version, e.g. `'worker@1'`), made by `create` the
 * first time any copy of the library asks for it. Bump the version when the record's shape changes.
 * @internal
 */
export function processWide<T extends object>(name: string, create: () => T): T {
  const key = Symbol.for(`cdp-release-batcher/${name}`);
  return (holder[key] ??= create()) as T;
}
