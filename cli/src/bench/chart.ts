import type { BenchClient, BenchReport } from './runBench.js';

const COLORS: Record<BenchClient, string> = {
  'chrome-remote-interface': '#4c78a8',
  'puppeteer-core': '#f58518',
  'playwright-core': '#2ea58a',
  'raw WebSocket': '#54a24b',
  'puppeteer-core + census transport': '#e45756',
  'puppeteer-core + census relay': '#b279a2',
};
const OURS = '#e45756';

/**
 * The benchmark as an SVG bar chart (median releases per second, log scale, min–max whiskers as
 * labels), rendered by Apache ECharts' server-side SVG renderer — no DOM, no canvas. Our strategies
 * are drawn in red. ECharts is loaded only when a chart is asked for (it is large).
 */
export async function renderChart(report: BenchReport): Promise<string> {
  const echarts = await import('echarts').catch(() => {
    throw new Error('--svg needs the echarts package (a dependency of cdp-release-cli): run npm install at the top of the repository');
  });
  const rows = [...report.results].sort((a, b) => a.releasesPerSecond.median - b.releasesPerSecond.median);
  const height = 120 + rows.length * 26;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 1100, height });
  const m = report.machine;
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    title: {
      text: `Releasing ${report.objects.toLocaleString('en-US')} remote objects: releases per second (median of ${report.rounds}, log scale)`,
      subtext: `${m.cpus} cores ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.browser}; raw per-object limit ${Math.round(report.rawLimit.releasesPerSecond).toLocaleString('en-US')}/s (64 x ${report.rawLimit.window})`,
      left: 10,
      textStyle: { fontSize: 15 },
    },
    grid: { left: 470, right: 150, top: 70, bottom: 30 },
    xAxis: { type: 'log', min: 1000, axisLabel: { formatter: (v: number) => v.toLocaleString('en-US') } },
    yAxis: {
      type: 'category',
      data: rows.map((r) => `${r.client}: ${r.strategy}`),
      axisLabel: { fontSize: 11 },
    },
    series: [{
      type: 'bar',
      data: rows.map((r) => ({
        value: Math.round(r.releasesPerSecond.median),
        itemStyle: { color: r.kind === 'batcher' || r.kind === 'handles' || r.kind === 'group' ? OURS : COLORS[r.client] },
      })),
      label: {
        show: true,
        position: 'right',
        fontSize: 10,
        formatter: (p: { dataIndex: number }) => {
          const r = rows[p.dataIndex];
          return r === undefined ? '' : `${Math.round(r.releasesPerSecond.median).toLocaleString('en-US')}  (${r.ratioToRawLimit.toFixed(2)}x raw)`;
        },
      },
    }],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
