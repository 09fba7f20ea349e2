/**
 * The live dashboard page served by `cdp-release demo --serve`: plain HTML and JavaScript, charts by
 * Apache ECharts (the same library that draws `cdp-release bench --svg`), data from the server's
 * `/events` Server-Sent Events stream. Every figure shown has an id (`#stat-released`, ...), each chart
 * says how many points it drew in `data-points`, and the page's state is in `body[data-state]`:
 * `connecting`, `live`, `finished`, `server-gone` — the browser test reads all three.
 */
import { batchSeries } from './batchSeries.js';

export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cdp-release-batcher — live</title>
<link rel="icon" href="data:,">
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
  .plot { height: 220px; }
  #watched-pages, #census-pages { margin: 0 0 14px; border-collapse: collapse; background: #fff; }
  #watched-pages caption, #census-pages caption { text-align: left; color: #444; font-size: 13px; padding-bottom: 4px; }
  #watched-pages td, #census-pages td, #census-pages th { border: 1px solid #ddd; padding: 2px 8px; font-variant-numeric: tabular-nums; font-weight: normal; }
</style>
</head>
<body data-state="connecting">
<h1>cdp-release-batcher: releases of a live crawl</h1>
<div id="banner">connecting…</div>
<div id="numbers"></div>
<table id="census-pages" hidden><caption>held by the inspector, per page (the census: every remote object Chrome holds for this crawl, whoever created it)</caption><thead><tr><th>target</th><th>url</th><th>held</th><th>created</th><th>released</th><th>held by</th><th>oldest</th></tr></thead><tbody></tbody></table>
<table id="watched-pages" hidden><caption>watched handles not yet disposed, per page (a count that only grows is a leak)</caption><tbody></tbody></table>
<div id="charts">
  <div class="chart"><h2>release rate (released per second)</h2><div id="chart-rate" class="plot" data-points="0"></div></div>
  <div class="chart"><h2>pending and in flight</h2><div id="chart-queue" class="plot" data-points="0"></div></div>
  <div class="chart"><h2>batches per second: duration p50 / p90 (ms), releases settled</h2><div id="chart-batches" class="plot" data-points="0"></div></div>
  <div class="chart"><h2>pages' V8 heap (MB, sampled every second; after GC at start and end)</h2><div id="chart-heap" class="plot" data-points="0"></div></div>
</div>
<script src="/echarts.min.js"></script>
<script>
(() => {
  const batchSeries = ${batchSeries.toString()};
  const FIELDS = ['enqueued', 'released', 'gone', 'failed', 'timedOut', 'dropped', 'duplicate', 'invalid', 'leaked', 'pending', 'inFlight', 'batches', 'watched'];
  const numbers = document.getElementById('numbers');
  const cells = {};
  for (const name of ['pages', ...FIELDS, 'held', 'heap']) {
    const cell = document.createElement('div');
    cell.className = 'n';
    cell.innerHTML = '<b id="stat-' + name + '">–</b><span>' + name + '</span>';
    numbers.appendChild(cell);
    cells[name] = cell.querySelector('b');
  }
  const banner = document.getElementById('banner');
  const setState = (state, text) => { document.body.dataset.state = state; banner.textContent = text; };

  const seconds = (ms) => ms / 1000;
  // One ECharts line chart per panel; x is seconds (or the batch number), every series [x, y] pairs.
  const mk = (id, xName, series, twoAxes) => {
    const el = document.getElementById(id);
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      grid: { left: 56, right: twoAxes ? 56 : 16, top: 28, bottom: 36 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 24, scale: true },
      yAxis: twoAxes ? [{ type: 'value' }, { type: 'value', splitLine: { show: false } }] : { type: 'value' },
      series: series.map((s) => ({ type: 'line', showSymbol: false, name: s.name, color: s.color, yAxisIndex: s.axis || 0, lineStyle: { width: s.width || 2 }, data: [] })),
    });
    return { el, chart };
  };
  const rate = mk('chart-rate', 'seconds', [{ name: 'released/s', color: '#e45756' }]);
  const queue = mk('chart-queue', 'seconds', [{ name: 'pending', color: '#4c78a8' }, { name: 'in flight', color: '#f58518' }]);
  const batches = mk('chart-batches', 'seconds', [{ name: 'p50 ms', color: '#b279a2' }, { name: 'p90 ms', color: '#9d755d' }, { name: 'released', color: '#54a24b', width: 1, axis: 1 }], true);
  const heap = mk('chart-heap', 'seconds', [{ name: 'MB', color: '#72b7b2' }]);
  const draw = (panel, columns) => {
    const series = columns.slice(1).map((ys) => ({ data: ys.map((y, i) => [columns[0][i], y]) }));
    panel.chart.setOption({ series });
    panel.el.dataset.points = String(columns[0].length);
  };

  const data = { rate: [[], []], queue: [[], [], []], heap: [[], []] };
  const batchPoints = []; // { at, size, durationMs }, drawn per second
  let last = null;
  let dirty = false;
  const show = (name, value) => { if (cells[name]) cells[name].textContent = typeof value === 'number' ? value.toLocaleString('en-US') : value; };

  // One per-page table: at most 10 rows, hidden when empty; row(p) gives a row's key and its cells.
  const tableOf = (id, key, row) => {
    const table = document.getElementById(id);
    return (pages) => {
      const rows = (pages || []).slice(0, 10);
      table.hidden = rows.length === 0;
      const body = table.tBodies[0];
      body.textContent = '';
      for (const p of rows) {
        const tr = body.insertRow();
        const [value, cells] = row(p);
        tr.dataset[key] = value;
        for (const text of cells) tr.insertCell().textContent = text;
      }
    };
  };
  const count = (n) => n.toLocaleString('en-US');
  // The leak net's live view: watched client handles not yet disposed, per page (two tabs on one site are two rows).
  const showWatched = tableOf('watched-pages', 'page', (p) => [String(p.page), ['page ' + p.page, p.url || '(page unknown)', count(p.watched)]]);
  // The census's live view: what each page's inspector holds now, and what created it.
  const showCensus = tableOf('census-pages', 'target', (p) => [p.targetId, [
    p.targetId.slice(0, 8), p.url || '(url unknown)', count(p.held), count(p.created), count(p.released),
    Object.entries(p.heldBy).map(([by, n]) => by + ' ' + count(n)).join(', ') || '–',
    p.oldestHeldMs === null ? '–' : (p.oldestHeldMs / 1000).toFixed(1) + ' s',
  ]]);
  const onCensus = (e) => {
    show('held', e.held);
    showCensus(e.pages);
  };
  const onStats = (e) => {
    const s = e.stats;
    for (const f of FIELDS) show(f, s[f]);
    showWatched(s.watchedByPage);
    if (last !== null && e.at > last.at) {
      data.rate[0].push(seconds(e.at));
      data.rate[1].push(Math.round((s.released - last.released) / seconds(e.at - last.at)));
    }
    last = { at: e.at, released: s.released };
    data.queue[0].push(seconds(e.at)); data.queue[1].push(s.pending); data.queue[2].push(s.inFlight);
    dirty = true;
  };
  const onBatches = (e) => {
    for (const b of e.batches) batchPoints.push({ at: e.at, size: b.size, durationMs: b.durationMs });
    dirty = true;
  };
  const onHeap = (e) => {
    if (e.bytes <= 0) return; // not measured yet
    show('heap', (e.bytes / 1048576).toFixed(2) + ' MB');
    data.heap[0].push(seconds(e.at)); data.heap[1].push(+(e.bytes / 1048576).toFixed(3));
    dirty = true;
  };
  const onProgress = (e) => show('pages', e.pagesDone + ' / ' + e.pagesTotal);
  const redraw = () => {
    if (!dirty) return;
    dirty = false;
    draw(rate, data.rate); draw(queue, data.queue); { const s = batchSeries(batchPoints); draw(batches, [s.seconds, s.p50, s.p90, s.released]); } draw(heap, data.heap);
  };
  // Redraw at most 5 times a second, whatever the event rate (and once more at the end).
  setInterval(redraw, 200);

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
  source.addEventListener('census', parse(onCensus));
  source.addEventListener('progress', parse(onProgress));
  source.addEventListener('end', parse((e) => {
    ended = true;
    source.close(); // the final state is here: do not reconnect
    if (e.summary) {
      for (const f of FIELDS) show(f, e.summary.stats[f]);
      showWatched(e.summary.stats.watchedByPage);
      show('held', e.summary.held.census);
      showCensus(e.summary.held.pages);
      show('pages', e.summary.pages + ' / ' + e.summary.pages);
      const before = e.summary.heap.beforeBytes, after = e.summary.heap.afterBytes;
      const change = ((after - before) / before * 100).toFixed(1);
      setState('finished', 'crawl finished: ' + e.summary.pages + ' pages, ' + e.summary.objects.toLocaleString('en-US') + ' remote objects, released ' + e.summary.stats.released.toLocaleString('en-US') + '; heap ' + (before / 1048576).toFixed(2) + ' → ' + (after / 1048576).toFixed(2) + ' MB (' + (change >= 0 ? '+' : '') + change + '%): ' + e.summary.heap.verdict.text + '; remote objects still held: ' + e.summary.held.census.toLocaleString('en-US') + ' (census), ' + e.summary.held.heapSnapshot.toLocaleString('en-US') + ' (heap snapshot)');
    } else {
      setState('finished', 'crawl ended: ' + (e.error || 'no summary'));
    }
    dirty = true;
    redraw();
  }));
  source.onerror = () => {
    if (ended) return;
    // EventSource retries by itself; until then say what happened and keep the last state on screen.
    setState('server-gone', 'the server went away: showing the last state received (retrying)');
  };
  source.onopen = () => { if (!ended && document.body.dataset.state === 'server-gone') setState('live', 'live (reconnected)'); };
  window.addEventListener('resize', () => { for (const panel of [rate, queue, batches, heap]) panel.chart.resize(); });
})();
</script>
</body>
</html>
`;
