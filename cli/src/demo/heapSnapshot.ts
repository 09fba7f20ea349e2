/**
 * Heap snapshots of a crawled tab, and what grew between two of them — how the demo's long-crawl
 * growth was found (`cdp-release demo --heap-snapshots DIR`; docs/RELIABILITY.md §5). The files are
 * the DevTools format: open them in Chrome's Memory panel for the full picture.
 */

/** A tab the snapshot can be asked of: its CDP commands and events. */
export interface SnapshotSource {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (params: never) => void): () => void;
}

/** Takes a heap snapshot of the tab (after a full GC) and returns it as the DevTools JSON text. */
export async function takeHeapSnapshot(tab: SnapshotSource): Promise<string> {
  const chunks: string[] = [];
  const off = tab.on('HeapProfiler.addHeapSnapshotChunk', (params: never) => {
    chunks.push((params as { chunk: string }).chunk);
  });
  try {
    await tab.send('HeapProfiler.collectGarbage');
    await tab.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  } finally {
    off();
  }
  return chunks.join('');
}

/** One group of a snapshot's nodes: same node type and (normalized) name. */
export interface SnapshotGroup {
  readonly count: number;
  readonly bytes: number;
  /** The group's largest node and what holds it (first retainer found), when it is ≥ 16 KB. */
  readonly largest?: { readonly bytes: number; readonly heldBy: string };
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const LARGE = 16 * 1024;

/**
 * Groups a snapshot's nodes by type and name, summing their self sizes. Strings are one group per
 * type; DOM nodes are grouped by tag (`<article class=… data-sku=…>` → `<article>`, keeping
 * `Detached`).
 */
export function groupSnapshot(json: string): Map<string, SnapshotGroup> {
  const raw = JSON.parse(json) as RawSnapshot;
  const { node_fields: nf, node_types: [types], edge_fields: ef, edge_types: [edgeTypes] } = raw.snapshot.meta;
  const width = nf.length;
  const [typeAt, nameAt, sizeAt, edgesAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
  const edgeWidth = ef.length;
  const { nodes, edges, strings } = raw;
  const field = (node: number, at: number): number => nodes[node + at] as number;
  const keyOf = (node: number): string => {
    const type = types[field(node, typeAt)] ?? '?';
    if (type.includes('string')) return type;
    const name = strings[field(node, nameAt)] ?? '';
    const tag = /^(Detached )?<([\w-]+)/.exec(name);
    return `${type} ${tag ? `${tag[1] ?? ''}<${tag[2]}>` : name.slice(0, 80)}`;
  };
  const groups = new Map<string, { count: number; bytes: number; largest?: { bytes: number; node: number; heldBy: string } }>();
  for (let node = 0; node < nodes.length; node += width) {
    const key = keyOf(node);
    const size = field(node, sizeAt);
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += size;
    if (size >= LARGE && (group.largest === undefined || size > group.largest.bytes)) group.largest = { bytes: size, node, heldBy: '' };
    groups.set(key, group);
  }
  const wanted = new Map<number, { bytes: number; node: number; heldBy: string }>();
  for (const g of groups.values()) if (g.largest !== undefined) wanted.set(g.largest.node, g.largest);
  if (wanted.size > 0) {
    let edge = 0;
    for (let node = 0; node < nodes.length; node += width) {
      const count = field(node, edgesAt);
      for (let i = 0; i < count; i++, edge += edgeWidth) {
        const target = wanted.get(edges[edge + 2] as number);
        if (target === undefined || target.heldBy !== '') continue;
        const edgeType = edgeTypes[edges[edge] as number] ?? '?';
        const edgeName = edgeType === 'element' || edgeType === 'hidden' ? `[${edges[edge + 1]}]` : (strings[edges[edge + 1] as number] ?? '');
        target.heldBy = `${keyOf(node)} → ${edgeName}`;
      }
    }
  }
  return new Map([...groups].map(([key, g]) => [key, { count: g.count, bytes: g.bytes, ...(g.largest ? { largest: { bytes: g.largest.bytes, heldBy: g.largest.heldBy || '(no retainer)' } } : {}) }]));
}

/** One line of a comparison. */
export interface GroupChange {
  readonly group: string;
  readonly bytes: number;
  readonly count: number;
  /** The heap outside Blink's C++ objects (`native` nodes are not in `Runtime.getHeapUsage`'s V8 figure). */
  readonly v8: boolean;
  readonly largest?: SnapshotGroup['largest'];
}

/** What changed between two groupings, the largest changes (in bytes, either way) first. */
export function compareSnapshots(before: Map<string, SnapshotGroup>, after: Map<string, SnapshotGroup>): GroupChange[] {
  const changes: GroupChange[] = [];
  for (const group of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(group);
    const b = after.get(group);
    const bytes = (b?.bytes ?? 0) - (a?.bytes ?? 0);
    const count = (b?.count ?? 0) - (a?.count ?? 0);
    if (bytes === 0 && count === 0) continue;
    const largest = b?.largest !== undefined && b.largest.bytes !== a?.largest?.bytes ? b.largest : undefined;
    changes.push({ group, bytes, count, v8: !group.startsWith('native ') && !group.startsWith('synthetic '), ...(largest ? { largest } : {}) });
  }
  return changes.sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes) || x.group.localeCompare(y.group));
}

/** The comparison as text: totals (all, and V8's part), then the `top` largest changes. */
export function formatComparison(changes: readonly GroupChange[], top = 15): string {
  const sum = (list: readonly GroupChange[]): number => list.reduce((total, c) => total + c.bytes, 0);
  const signed = (n: number): string => `${n >= 0 ? '+' : '−'}${Math.abs(n).toLocaleString('en-US')}`;
  const lines = [
    `heap snapshot of the first tab, before → after: ${signed(sum(changes))} B in all, ${signed(sum(changes.filter((c) => c.v8)))} B of it in V8's heap (the rest: Blink's C++ objects)`,
    ...changes.slice(0, top).map((c) => {
      const largest = c.largest ? `  (largest ${c.largest.bytes.toLocaleString('en-US')} B, held by ${c.largest.heldBy})` : '';
      return `  ${signed(c.bytes).padStart(11)} B  ${signed(c.count).padStart(7)}  ${c.group}${largest}`;
    }),
  ];
  return lines.join('\n');
}
