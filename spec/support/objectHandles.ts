/** A page function: `count` fresh objects of about 600 bytes each, in one array. */
export const arraysOf = (count: number): { i: number; data: number[] }[] => Array.from({ length: count }, (_, i) => ({ i, data: new Array(64).fill(i) as number[] }));

interface ArrayHandle<H> {
  getProperties(): Promise<Map<string, H>>;
  dispose(): Promise<void>;
}

/**
 * `n` fresh objects as a client's handles: arrays of at most 1,000 made by `mint(count)` (a client's
 * `page.evaluateHandle(arraysOf, count)`), their elements read with `getProperties()`.
 */
export async function handlesFrom<H>(mint: (count: number) => Promise<ArrayHandle<H>>, n: number): Promise<H[]> {
  const handles: H[] = [];
  while (handles.length < n) {
    const array = await mint(Math.min(1000, n - handles.length));
    for (const [name, handle] of await array.getProperties()) if (/^\d+$/.test(name)) handles.push(handle);
    await array.dispose();
  }
  return handles;
}
