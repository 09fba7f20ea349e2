// The strategies the benchmark races: what users would write instead, and the batcher.
import { ReleaseBatcher, type CdpTarget } from 'cdp-release-batcher';
import { mintObjects, type SessionSend } from 'cdp-release-batcher/testing';
import type { BatcherClass, BatcherLike } from './baseline.js';
import { fixedWindow, literalCard } from './anchors.js';
import { mintHandles, mintPlaywrightHandles, type Connections } from './connections.js';
import type { BenchClient, BenchOptions, Minted, Strategy, StrategyKind } from './types.js';

/** A client's three ways to release its handles: one by one, all at once, and through the batcher. */
export function handleStrategies(client: BenchClient, mint: (n: number) => Promise<Minted>, check: SessionSend): Strategy[] {
  return [
    { name: 'JSHandle.dispose() one by one', client, kind: 'dispose-serial', mint, check, run: async ({ handles }) => { for (const h of handles ?? []) await h.dispose(); } },
    {
      name: 'Promise.all(handles.map(h => h.dispose()))',
      client,
      kind: 'dispose-all',
      mint,
      check,
      run: async ({ handles }) => {
        const t0 = performance.now();
        const disposing = (handles ?? []).map((h) => h.dispose());
        const syncMs = performance.now() - t0;
        await Promise.all(disposing);
        return syncMs;
      },
    },
    {
      name: 'ReleaseBatcher.release(handle) (defaults)',
      client,
      kind: 'handles',
      mint,
      check,
      run: async ({ handles }) => {
        const batcher = new ReleaseBatcher();
        const t0 = performance.now();
        for (const h of handles ?? []) batcher.release(h);
        const syncMs = performance.now() - t0;
        await batcher.close();
        if (batcher.stats.released !== handles?.length) throw new Error(`ReleaseBatcher released ${batcher.stats.released} of ${handles?.length ?? 0} handles`);
        return syncMs;
      },
    },
  ];
}

export async function releaseAll(batcher: BatcherLike, target: CdpTarget, ids: readonly string[]): Promise<void> {
  for (const id of ids) batcher.release(target, id);
  await batcher.close();
  if (batcher.stats.released !== ids.length) throw new Error(`ReleaseBatcher released ${batcher.stats.released} of ${ids.length}`);
}

export function strategiesFor(c: Connections, options: BenchOptions, baseline: BatcherClass | null): Strategy[] {
  const windows = options.windows ?? [1, 2, 4, 8, 16];
  const cri = c.cri;
  const criRelease = (objectId: string): Promise<unknown> => cri.Runtime.releaseObject({ objectId });
  const criMint = (n: number): Promise<Minted> => mintObjects(c.criSend, n, 4).then((ids) => ({ ids }));
  const batcherVariants: { label: string; kind: StrategyKind; make: () => BatcherLike }[] = [
    { label: 'ReleaseBatcher (defaults)', kind: 'batcher', make: () => new ReleaseBatcher() },
    ...(baseline === null ? [] : [{ label: 'baseline build: ReleaseBatcher (defaults)', kind: 'baseline' as const, make: () => new baseline() }]),
    ...(options.maxInFlight ?? []).map((m) => ({ label: `ReleaseBatcher maxInFlight ${m}`, kind: 'batcher' as const, make: () => new ReleaseBatcher({ maxInFlight: m }) })),
  ];
  const list: Strategy[] = [
    { name: 'await each Runtime.releaseObject', client: 'chrome-remote-interface', kind: 'serial', mint: criMint, check: c.criSend, run: async ({ ids }) => { for (const objectId of ids) await criRelease(objectId); } },
    { name: 'every release at once (Promise.all)', client: 'chrome-remote-interface', kind: 'all-at-once', mint: criMint, check: c.criSend, run: async ({ ids }) => { await Promise.all(ids.map(criRelease)); } },
    { name: 'design card: bufferCount(64) + unbounded mergeMap(forkJoin)', client: 'chrome-remote-interface', kind: 'literal-card', mint: criMint, check: c.criSend, run: ({ ids }) => literalCard(ids, criRelease) },
    ...windows.map((k): Strategy => ({ name: `64 x ${k} batches in flight`, client: 'chrome-remote-interface', kind: 'window', window: k, mint: criMint, check: c.criSend, run: ({ ids }) => fixedWindow(ids, k, criRelease) })),
    ...batcherVariants.map((v): Strategy => ({ name: v.label, client: 'chrome-remote-interface', kind: v.kind, mint: criMint, check: c.criSend, run: ({ ids }) => releaseAll(v.make(), cri, ids) })),
    {
      name: 'ReleaseScope (one Runtime.releaseObjectGroup)',
      client: 'chrome-remote-interface',
      kind: 'group',
      check: c.criSend,
      mint: async (n) => {
        const batcher = new ReleaseBatcher();
        const scope = batcher.scope(cri);
        return { ids: await mintObjects(c.criSend, n, 4, scope.objectGroup), scope: { guard: scope, batcher } };
      },
      run: async ({ scope }) => {
        if (scope === undefined) throw new Error('no scope minted');
        const { guard, batcher } = scope;
        guard.dispose();
        await batcher.close();
        if (batcher.stats.released !== 1) throw new Error('the scope was not released');
      },
    },
  ];
  const rawRelease = (objectId: string): Promise<unknown> => c.raw.send('Runtime.releaseObject', { objectId });
  const rawMint = (n: number): Promise<Minted> => mintObjects(c.rawSend, n, 4).then((ids) => ({ ids }));
  list.push(...windows.map((k): Strategy => ({ name: `raw: 64 x ${k} batches in flight`, client: 'raw WebSocket', kind: 'window', window: k, mint: rawMint, check: c.rawSend, run: ({ ids }) => fixedWindow(ids, k, rawRelease) })));
  const p = c.puppeteer;
  if (p !== null) {
    const sessionRelease = (objectId: string): Promise<unknown> => p.session.send('Runtime.releaseObject', { objectId });
    const sessionMint = (n: number): Promise<Minted> => mintObjects(p.send, n, 4).then((ids) => ({ ids }));
    const handleMint = async (n: number): Promise<Minted> => {
      const handles = await mintHandles(p.page, n);
      return { handles, ids: handles.map((h) => h.remoteObject().objectId ?? '') };
    };
    list.push(
      ...handleStrategies('puppeteer-core', handleMint, p.pageSend),
      ...windows.map((k): Strategy => ({ name: `CDPSession: 64 x ${k} batches in flight`, client: 'puppeteer-core', kind: 'window', window: k, mint: sessionMint, check: p.send, run: ({ ids }) => fixedWindow(ids, k, sessionRelease) })),
      ...batcherVariants.map((v): Strategy => ({ name: `${v.label} over CDPSession`, client: 'puppeteer-core', kind: v.kind, mint: sessionMint, check: p.send, run: ({ ids }) => releaseAll(v.make(), p.session, ids) })),
    );
  }
  const census = c.census;
  if (census !== null) {
    for (const [client, q] of [['puppeteer-core + census transport', census.transport], ['puppeteer-core + census relay', census.relay]] as const) {
      const mint = async (n: number): Promise<Minted> => {
        const handles = await mintHandles(q.page, n);
        return { handles, ids: handles.map((h) => h.remoteObject().objectId ?? '') };
      };
      list.push(...handleStrategies(client, mint, q.pageSend).filter((s) => s.kind === 'handles'));
    }
  }
  const w = c.playwright;
  if (w !== null) list.push(...handleStrategies('playwright-core', (n) => mintPlaywrightHandles(w, n), w.send));
  return list;
}
