import { DemoRun } from '../src/demo/runDemo';
import { startDashboard } from '../src/terminalDashboard';

/** A run never started; the census is fed through its transport the way puppeteer-core's would be. */
function runWithHeldObjects(held: number): DemoRun {
  const run = new DemoRun({ pages: 1, tabs: 1, products: 1, release: true });
  const inner = { send: () => undefined, close: () => undefined, onmessage: undefined as ((m: string) => void) | undefined, onclose: undefined as (() => void) | undefined };
  const outer = run.census.transport(inner);
  inner.onmessage?.(JSON.stringify({ method: 'Target.attachedToTarget', params: { sessionId: 'S', targetInfo: { targetId: 'T', url: 'https://shop.test/' } } }));
  for (let id = 1; id <= held; id++) {
    outer.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: {}, sessionId: 'S' }));
    inner.onmessage?.(JSON.stringify({ id, result: { result: { type: 'object', objectId: `1.1.${id}` } }, sessionId: 'S' }));
  }
  return run;
}

describe('the terminal dashboard', () => {
  it('without a terminal, its status line carries the census\'s count of remote objects held', async () => {
    const run = runWithHeldObjects(7);
    const lines: string[] = [];
    const out = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
    const stop = await startDashboard(run, out);
    await new Promise((r) => setTimeout(r, 2_300));
    stop();
    await run.census.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/ held 7 rate /);
  });
});
