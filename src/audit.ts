import type { CdpTarget } from './target.js';

/** What {@link auditHeldObjects} found. */
export interface HeldObjectsAudit {
  /** Objects the page's inspector holds for DevTools sessions (any session, any client), and its console storage. */
  readonly held: number;
  /** The same, by constructor name (`Object`, `HTMLDivElement`, `Error`, …). */
  readonly byConstructor: Readonly<Record<string, number>>;
}

type Listener = (params: { chunk?: unknown }) => void;

interface EventSource {
  on(event: string, listener: Listener): unknown;
  off?(event: string, listener: Listener): unknown;
  removeListener?(event: string, listener: Listener): unknown;
}

/**
 * How to listen to `HeapProfiler.addHeapSnapshotChunk` on `target`: puppeteer-core's and
 * playwright-core's sessions (`on`/`off`), a chrome-remote-interface client (`on`/`removeListener`),
 * and a {@link criSession} (its client, the event suffixed with the session id).
 */
function chunksOf(target: CdpTarget): { source: EventSource; event: string } {
  const session = target as Partial<EventSource> & { client?: Partial<EventSource>; sessionId?: unknown };
  const event = 'HeapProfiler.addHeapSnapshotChunk';
  if (typeof session.sessionId === 'string' && typeof session.client?.on === 'function') {
    return { source: session.client as EventSource, event: `${event}.${session.sessionId}` };
  }
  if (typeof session.on === 'function') return { source: session as EventSource, event };
  throw new TypeError('auditHeldObjects: the target must have `on` for CDP events (a puppeteer-core or playwright-core CDPSession, a chrome-remote-interface client or a criSession)');
}

// Nodes that are primitive values, not objects: V8's console storage also keeps a message's string
// arguments, which no session ever holds as a remote object. Symbols are left out too: the
// well-known ones live outside the heap, so a snapshot sees only some of those a session holds.
const PRIMITIVE = new Set(['string', 'concatenated string', 'sliced string', 'number', 'bigint', 'symbol', 'hidden']);

// V8's label on the global handles of objects bound to a session (`InjectedScript`) and of stored
// console messages' arguments (`V8ConsoleMessage`).
const LABEL = 'DevTools console';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Counts the objects retained from `(Global handles)` by edges labelled `DevTools console`. */
export function countHeldInSnapshot(json: string): HeldObjectsAudit {
  const raw = JSON.parse(json) as RawSnapshot;
  const { node_fields: nf, node_types: [types], edge_fields: ef, edge_types: [edgeTypes] } = raw.snapshot.meta;
  const width = nf.length;
  const edgeWidth = ef.length;
  const [typeAt, nameAt, edgesAt] = ['type', 'name', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number];
  const [edgeTypeAt, edgeNameAt, edgeToAt] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number];
  const { nodes, edges, strings } = raw;
  const byConstructor: Record<string, number> = {};
  let held = 0;
  let edge = 0;
  for (let node = 0; node < nodes.length; node += width) {
    const count = nodes[node + edgesAt] as number;
    if (strings[nodes[node + nameAt] as number] === '(Global handles)') {
      for (let i = 0; i < count; i++, edge += edgeWidth) {
        const edgeType = edgeTypes[edges[edge + edgeTypeAt] as number];
        if (edgeType === 'element' || edgeType === 'hidden') continue;
        if (!(strings[edges[edge + edgeNameAt] as number] ?? '').includes(LABEL)) continue;
        const to = edges[edge + edgeToAt] as number;
        if (PRIMITIVE.has(types[nodes[to + typeAt] as number] ?? '')) continue;
        const type = types[nodes[to + typeAt] as number];
        // A function's node is named by its source text; its constructor is Function.
        const name = type === 'closure' ? 'Function' : (strings[nodes[to + nameAt] as number] ?? '?');
        byConstructor[name] = (byConstructor[name] ?? 0) + 1;
        held++;
      }
    } else {
      edge += count * edgeWidth;
    }
  }
  return { held, byConstructor };
}

/**
 * Ground truth for any client: takes a heap snapshot of the page behind `target` (after a full
 * garbage collection) and counts every object its inspector holds for any DevTools session —
 * whoever created it, the census or not — plus the object arguments V8 keeps with its stored
 * console messages. Primitive values (strings, numbers) are not counted.
 *
 * It costs what a heap snapshot costs (a pause of the page, and the snapshot's size in memory here):
 * an audit, not a gauge. `target` is any CDP session on the page; it needs `on` for events.
 *
 * @example
 * ```ts
 * const session = await page.createCDPSession(); // puppeteer-core
 * const { held, byConstructor } = await auditHeldObjects(session);
 * console.log(`${held} remote objects held`, byConstructor);
 * await session.detach();
 * ```
 * @throws TypeError when `target` cannot send commands or listen to events.
 */
export async function auditHeldObjects(target: CdpTarget): Promise<HeldObjectsAudit> {
  if (typeof (target as { send?: unknown } | null)?.send !== 'function') throw new TypeError('auditHeldObjects: the target must be a CDP session with send');
  const { source, event } = chunksOf(target);
  const chunks: string[] = [];
  const listener: Listener = (params) => {
    if (typeof params.chunk === 'string') chunks.push(params.chunk);
  };
  const send = target.send.bind(target) as (method: string, params?: object) => PromiseLike<unknown>;
  source.on(event, listener);
  try {
    await send('HeapProfiler.collectGarbage');
    await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  } finally {
    if (typeof source.off === 'function') source.off(event, listener);
    else source.removeListener?.(event, listener);
  }
  return countHeldInSnapshot(chunks.join(''));
}
