import { ALLOWED_SHARE, heapVerdict, ONE_TIME_BYTES_PER_TAB, type HeapFigures } from '../src/demo/heapVerdict';
import { compareSnapshots, formatComparison, groupSnapshot } from '../src/demo/heapSnapshot';

// Figures of real runs (docs/RELIABILITY.md §5): 4 tabs of ~0.75 MB, ~1.2 KB held per unreleased object.
const tabs = 4;
const held = 1_200;
const figures = (growth: number): HeapFigures => ({ beforeBytes: 3_012_880, afterBytes: 3_012_880 + growth, heldBytesPerObject: held, tabs });

describe('heapVerdict: the demo\'s verdict on the pages\' heap', () => {
  it('a long crawl that released everything passes though the heap grew past 10% (V8\'s one-time growth)', () => {
    // issue 14's run: 12,335 pages, 2,491,670 objects, 2.87 → 3.25 MB (+13.2%)
    const v = heapVerdict({ beforeBytes: 2_870_000, afterBytes: 3_250_000, heldBytesPerObject: held, tabs }, { objects: 2_491_670, released: 2_491_670, release: true });
    expect(v.everyObjectReleased).toBe(true);
    expect(v.growthBytesPerObject).toBeCloseTo(380_000 / 2_491_670, 6);
    expect(v.text).toContain('every remote object was released');
    expect(v.text).not.toContain('NOT');
  });

  it('a short crawl passes within the one-time allowance per tab, and fails just past it', () => {
    const objects = 808; // 4 pages: 10% of what they would hold (97 KB) is below the allowance
    expect(heapVerdict(figures(ONE_TIME_BYTES_PER_TAB * tabs), { objects, released: objects, release: true }).everyObjectReleased).toBe(true);
    const over = heapVerdict(figures(ONE_TIME_BYTES_PER_TAB * tabs + 1), { objects, released: objects, release: true });
    expect(over.everyObjectReleased).toBe(false);
    expect(over.allowedBytes).toBe(ONE_TIME_BYTES_PER_TAB * tabs);
    expect(over.text).toContain('NOT back');
  });

  it('a long crawl fails as soon as it grows by more than the allowed share of what its objects would hold', () => {
    const objects = 1_000_000;
    const limit = ALLOWED_SHARE * held * objects; // 120 MB, far above the one-time allowance
    expect(heapVerdict(figures(limit), { objects, released: objects, release: true }).everyObjectReleased).toBe(true);
    const leaking = heapVerdict(figures(limit + 1), { objects, released: objects, release: true });
    expect(leaking.everyObjectReleased).toBe(false);
    expect(leaking.shareOfHeld).toBeGreaterThan(ALLOWED_SHARE);
    expect(leaking.text).toMatch(/\(10\.0% of that\): NOT back/);
  });

  it('--no-release fails at every length, with the heap grown or not', () => {
    for (const [objects, growth] of [[808, 0], [8_080, 8_000_000], [2_000_000, 2_000_000 * 1_000]] as const) {
      const v = heapVerdict(figures(growth), { objects, released: 0, release: false });
      expect(v.everyObjectReleased).toBe(false);
      expect(v.text).toContain('never released (--no-release)');
    }
    expect(heapVerdict(figures(0), { objects: 808, released: 0, release: false }).text).toContain('too short for the heap to show it');
  });

  it('releases the counters do not show as released fail, whatever the heap says', () => {
    const v = heapVerdict(figures(0), { objects: 10_000, released: 9_999, release: true });
    expect(v.everyObjectReleased).toBe(false);
    expect(v.text).toContain('1 of 10,000 were not');
  });

  it('no objects, or a failed measurement of what one holds, are said as such', () => {
    expect(heapVerdict(figures(5_000_000), { objects: 0, released: 0, release: true })).toMatchObject({ everyObjectReleased: true, text: 'no remote objects were made' });
    const unmeasured = heapVerdict({ ...figures(0), heldBytesPerObject: -257 }, { objects: 3, released: 3, release: true });
    expect(unmeasured.everyObjectReleased).toBe(false);
    expect(unmeasured.text).toContain('cannot tell');
  });
});

describe('heap snapshot comparison', () => {
  // A minimal snapshot in the DevTools format: root → (Strong root list) → a 64 KB array; plus DOM nodes.
  const snapshot = (arrayBytes: number, articles: number): string => {
    const strings = ['', '(GC roots)', '(Strong root list)', 'smi_string_cache', 'Detached <article class="product" data-sku="SKU-1-0">', 'x'];
    const nodes: number[] = [];
    const edges: number[] = [];
    // fields: type, name, id, self_size, edge_count; types: 0 hidden 1 array 2 string 3 native 4 synthetic
    nodes.push(4, 1, 1, 0, 1); // (GC roots) → strong roots
    edges.push(0, 2, 5); // internal edge, name '(Strong root list)', to node index 5
    nodes.push(4, 2, 3, 0, 1); // (Strong root list) → array
    edges.push(0, 3, 10); // internal 'smi_string_cache' → node index 10
    nodes.push(1, 0, 5, arrayBytes, 0);
    for (let i = 0; i < articles; i++) nodes.push(3, 4, 7 + 2 * i, 104, 0);
    nodes.push(2, 5, 99, 24, 0);
    return JSON.stringify({
      snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'array', 'string', 'native', 'synthetic']], edge_fields: ['type', 'name_or_index', 'to_node'], edge_types: [['internal', 'element']] } },
      nodes, edges, strings,
    });
  };

  it('groups nodes by type and name (DOM nodes by tag), finds what holds the largest, and orders changes by size', () => {
    const before = groupSnapshot(snapshot(1_032, 1));
    const after = groupSnapshot(snapshot(65_544, 3));
    expect(after.get('native Detached <article>')).toEqual({ count: 3, bytes: 312 });
    expect(after.get('array ')?.largest).toEqual({ bytes: 65_544, heldBy: 'synthetic (Strong root list) → smi_string_cache' });
    const changes = compareSnapshots(before, after);
    expect(changes.map((c) => [c.group, c.bytes, c.count, c.v8])).toEqual([
      ['array ', 64_512, 0, true],
      ['native Detached <article>', 208, 2, false],
    ]);
    const text = formatComparison(changes);
    expect(text).toContain('+64,720 B in all, +64,512 B of it in V8\'s heap');
    expect(text).toContain('held by synthetic (Strong root list) → smi_string_cache');
  });
});
