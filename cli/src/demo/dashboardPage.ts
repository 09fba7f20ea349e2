/**
 * The live dashboard page served by `cdp-release demo --serve`: plain HTML and JavaScript, charts by
 * uPlot, data from the server's `/events` Server-Sent Events stream. Every figure shown has an id
 * (`#stat-released`, ...) and the page's state is in `body[data-state]`: `connecting`, `live`,
 * `finished`, `server-gone` — the browser test reads both.
 */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cdp-release-batcher — live</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/uPlot.min.css">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222; background: #fafafa; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  #banner { padding: 6px 10px; border-radius: 4px; display: inline-block; margin: 4px 0 12px; font-weight: 600; }
  body[data-state=connecting] #banner { background: #eee; }
  body[data-state=live] #banner { background: #d9f2d9; color: #17631a; }
  body[data-state=finished] #banner { background: #dde8f7; color: #173f73; }
  body[data-state=server-gone] #banner { background: #fbe3cf; color: #8a3b00; }
  #numbers { display: grid; grid-template-columns: repeat(7, minmax(110px, 1fr)); gap: 8px; margin-bottom: 14px; }
  .n { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 6px 8px; }
  .n b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
  .n span { color: #666; font-size: 12px; }
  #charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  .chart { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 6px; }
  .chart h2 { font-size: 13px; margin: 0 0 4px; color: #444; }
</style>
</head>
<body data-state="connecting">
<h1>cdp-release-batcher: releases of a live crawl</h1>
<div id="banner">connecting…</div>
<div id="numbers"></div>
<div id="charts">
  <div class="chart"><h2>release rate (released per second)</h2><div id="chart-rate"></div></div>
  <div class="chart"><h2>pending and in flight</h2><div id="chart-queue"></div></div>
  <div class="chart"><h2>batches: size and duration (ms)</h2><div id="chart-batches"></div></div>
  <div class="chart"><h2>pages' V8 heap (MB, sampled every second; after GC at start and end)</h2><div id="chart-heap"></div></div>
</div>
<script src="/uPlot.iife.min.js"></script>
<script>
(() => {
  const FIELDS = ['enqueued', 'released', 'gone', 'failed', 'timedOut', 'dropped', 'duplicate', 'invalid', 'leaked', 'pending', 'inFlight', 'batches'];
  const numbers = document.getElementById('numbers');
  const cells = {};
  for (const name of ['pages', ...FIELDS, 'heap']) {
    const cell = document.createElement('div');
    cell.className = 'n';
    cell.innerHTML = '<b id="stat-' + name + '">–</b><span>' + name + '</span>';
    numbers.appendChild(cell);
    cells[name] = cell.querySelector('b');
  }
  const banner = document.getElementById('banner');
  const setState = (state, text) => { document.body.dataset.state = state; banner.textContent = text; };

  const width = () => Math.max(320, Math.floor(document.getElementById('charts').clientWidth / 2) - 30);
  const seconds = (ms) => ms / 1000;
  const mk = (id, series, scales) => new uPlot({ width: width(), height: 220, series: [{ label: 's' }, ...series], scales: scales || { x: { time: false } }, axes: [{ label: 'seconds' }, {}] }, [[], ...series.map(() => [])], document.getElementById(id));
  const rate = mk('chart-rate', [{ label: 'released/s', stroke: '#e45756', width: 2 }]);
  const queue = mk('chart-queue', [{ label: 'pending', stroke: '#4c78a8', width: 2 }, { label: 'in flight', stroke: '#f58518', width: 2 }]);
  const batches = new uPlot({ width: width(), height: 220, scales: { x: { time: false }, ms: {} },
    series: [{ label: 'batch' }, { label: 'size', stroke: '#54a24b', width: 1 }, { label: 'duration ms', stroke: '#b279a2', width: 1, scale: 'ms' }],
    axes: [{ label: 'batch #' }, {}, { scale: 'ms', side: 1, grid: { show: false } }] }, [[], [], []], document.getElementById('chart-batches'));
  const heap = mk('chart-heap', [{ label: 'MB', stroke: '#72b7b2', width: 2 }]);

  const data = { rate: [[], []], queue: [[], [], []], batches: [[], [], []], heap: [[], []] };
  let last = null;
  let dirty = false;
  const show = (name, value) => { if (cells[name]) cells[name].textContent = typeof value === 'number' ? value.toLocaleString('en-US') : value; };

  const onStats = (e) => {
    const s = e.stats;
    for (const f of FIELDS) show(f, s[f]);
    if (last !== null && e.at > last.at) {
      data.rate[0].push(seconds(e.at));
      data.rate[1].push(Math.round((s.released - last.released) / seconds(e.at - last.at)));
    }
    last = { at: e.at, released: s.released };
    data.queue[0].push(seconds(e.at)); data.queue[1].push(s.pending); data.queue[2].push(s.inFlight);
    dirty = true;
  };
  const onBatches = (e) => {
    for (const b of e.batches) { data.batches[0].push(b.index); data.batches[1].push(b.size); data.batches[2].push(b.durationMs); }
    dirty = true;
  };
  const onHeap = (e) => {
    if (e.bytes <= 0) return; // not measured yet
    show('heap', (e.bytes / 1048576).toFixed(2) + ' MB');
    data.heap[0].push(seconds(e.at)); data.heap[1].push(+(e.bytes / 1048576).toFixed(3));
    dirty = true;
  };
  const onProgress = (e) => show('pages', e.pagesDone + ' / ' + e.pagesTotal);
  // Redraw at most 5 times a second, whatever the event rate.
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    rate.setData(data.rate); queue.setData(data.queue); batches.setData(data.batches); heap.setData(data.heap);
  }, 200);

  let ended = false;
  const source = new EventSource('/events');
  const parse = (handler) => (message) => handler(JSON.parse(message.data));
  source.addEventListener('hello', parse((e) => {
    // Every stream starts with hello and replays the run so far: start the series afresh.
    for (const series of Object.values(data)) for (const column of series) column.length = 0;
    last = null;
    setState('live', 'live: crawling ' + e.pages + ' pages in ' + e.tabs + ' tabs, release ' + (e.release ? 'on' : 'OFF (--no-release)'));
  }));
  source.addEventListener('stats', parse(onStats));
  source.addEventListener('batches', parse(onBatches));
  source.addEventListener('heap', parse(onHeap));
  source.addEventListener('progress', parse(onProgress));
  source.addEventListener('end', parse((e) => {
    ended = true;
    source.close(); // the final state is here: do not reconnect
    if (e.summary) {
      for (const f of FIELDS) show(f, e.summary.stats[f]);
      show('pages', e.summary.pages + ' / ' + e.summary.pages);
      const before = e.summary.heap.beforeBytes, after = e.summary.heap.afterBytes;
      const change = ((after - before) / before * 100).toFixed(1);
      setState('finished', 'crawl finished: ' + e.summary.pages + ' pages, ' + e.summary.objects.toLocaleString('en-US') + ' remote objects, released ' + e.summary.stats.released.toLocaleString('en-US') + '; heap ' + (before / 1048576).toFixed(2) + ' → ' + (after / 1048576).toFixed(2) + ' MB (' + (change >= 0 ? '+' : '') + change + '%)');
    } else {
      setState('finished', 'crawl ended: ' + (e.error || 'no summary'));
    }
    dirty = true;
  }));
  source.onerror = () => {
    if (ended) return;
    // EventSource retries by itself; until then say what happened and keep the last state on screen.
    setState('server-gone', 'the server went away: showing the last state received (retrying)');
  };
  source.onopen = () => { if (!ended && document.body.dataset.state === 'server-gone') setState('live', 'live (reconnected)'); };
  window.addEventListener('resize', () => { for (const c of [rate, queue, batches, heap]) c.setSize({ width: width(), height: 220 }); });
})();
</script>
</body>
</html>
`;
