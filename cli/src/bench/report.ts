// The benchmark's report as the text table the command prints.
import { DEFAULT_MAX_IN_FLIGHT } from 'cdp-release-batcher';
import type { BenchReport } from './types.js';

/** The results as a plain-text table, slowest anchors first as measured, with ratios. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  lines.push(`${report.objects.toLocaleString('en-US')} releases per strategy, ${report.rounds} round(s); ${report.machine.cpus} cores, ${report.machine.cpu}, Node ${report.machine.node}, ${report.machine.browser}`);
  lines.push('');
  lines.push(`${'client'.padEnd(35)}${'strategy'.padEnd(60)}${'median/s'.padStart(11)}${'min'.padStart(11)}${'max'.padStart(11)}  vs raw limit`);
  for (const r of report.results) {
    lines.push(`${r.client.padEnd(35)}${r.strategy.padEnd(60)}${fmt(r.releasesPerSecond.median).padStart(11)}${fmt(r.releasesPerSecond.min).padStart(11)}${fmt(r.releasesPerSecond.max).padStart(11)}  ${Number.isNaN(r.ratioToRawLimit) ? 'n/a' : `${r.ratioToRawLimit.toFixed(2)}x`}`);
  }
  const held = report.results.filter((r) => r.syncMs !== undefined);
  if (held.length > 0) {
    lines.push('');
    lines.push('thread held while handing the releases over (median): ' + held.map((r) => `${r.client} ${r.kind === 'handles' ? 'release(handle) loop' : 'handles.map(dispose)'} ${(r.syncMs ?? 0).toFixed(1)} ms`).join('; '));
  }
  lines.push('');
  if (report.rawLimit.window > 0) lines.push(`raw per-object limit: 64 x ${report.rawLimit.window} = ${fmt(report.rawLimit.releasesPerSecond)}/s; best windows: ${Object.entries(report.bestWindow).map(([c, b]) => `${c} 64 x ${b.window}`).join(', ')}`);
  else lines.push('raw per-object limit: not measured (no raw window among the strategies run)');
  const lone = report.loneReleaseOverChrome;
  lines.push(`lone release over Chrome: batcher ${lone.batcherMs.toFixed(3)} ms vs one awaited call ${lone.awaitedCallMs.toFixed(3)} ms (${lone.ratio.toFixed(2)}x)`);
  const nav = report.navigation;
  if (nav !== null) lines.push(`${nav.queued.toLocaleString('en-US')} handles queued, then a navigation (${nav.client}): ${nav.sent.toLocaleString('en-US')} release messages sent, ${nav.sentToDeadContext.toLocaleString('en-US')} of them to the dead context, flush() ${nav.flushMs.toFixed(0)} ms after it; ${nav.released.toLocaleString('en-US')} released, ${nav.gone.toLocaleString('en-US')} gone`);
  const m = report.micro;
  if (m !== null) {
    const sizes = Object.keys(m.cpuNsPerRelease.batcher);
    lines.push(`no-op transport, CPU per release: ${sizes.map((n) => `@${Number(n).toLocaleString('en-US')} batcher ${((m.cpuNsPerRelease.batcher[n] ?? 0) / 1000).toFixed(2)} µs vs literal card ${((m.cpuNsPerRelease.literalCard[n] ?? 0) / 1000).toFixed(2)} µs`).join('; ')}`);
    const base = m.cpuNsPerRelease.baseline;
    if (base !== undefined) lines.push(`baseline build, CPU per release: ${sizes.map((n) => `@${Number(n).toLocaleString('en-US')} ${((base[n] ?? 0) / 1000).toFixed(2)} µs`).join('; ')}; heap per pending release ${(m.heapBytesPerPendingReleaseBaseline ?? 0).toFixed(0)} bytes`);
    const o = m.observed;
    lines.push(`observing, CPU per release @${Number(sizes[0]).toLocaleString('en-US')}: nobody subscribed ${((m.cpuNsPerRelease.batcher[sizes[0] ?? ''] ?? 0) / 1000).toFixed(2)} µs; one channel subscriber ${(o.channelSubscriber / 1000).toFixed(2)} µs (${o.ratioChannel.toFixed(2)}x); OpenTelemetry instruments under an SDK ${(o.otelSdk / 1000).toFixed(2)} µs (${o.ratioOtel.toFixed(2)}x)`);
    lines.push(`heap per pending release (${m.pending.toLocaleString('en-US')} pending on a stalled target): ${m.heapBytesPerPendingRelease.toFixed(0)} bytes; lone release on a no-op transport: ${m.loneRelease.medianMicros.toFixed(1)} µs; idle batcher: ${m.idle.cpuMicrosPerSecond.toFixed(0)} µs CPU/s (process without one: ${m.idle.baselineCpuMicrosPerSecond.toFixed(0)}), ${m.idle.activeTimers} timers`);
  }
  const c = report.census;
  if (c !== null) lines.push(`census: ${c.bytesPerTrackedObject.toFixed(0)} bytes per tracked object (${c.objects.toLocaleString('en-US')} tracked); a closed page's entries let go: ${c.closedPageLetGo ? 'yes' : 'NO'}`);
  lines.push('');
  lines.push('goals:');
  lines.push(...goalLines(report.goals));
  for (const s of report.skipped) lines.push(`skipped: ${s}`);
  lines.push(`(defaults: maxInFlight ${DEFAULT_MAX_IN_FLIGHT})`);
  return lines.join('\n');
}

/** Goals as the reports print them, one line each: met or MISSED, what was measured, the target. */
export function goalLines(goals: readonly BenchReport['goals'][number][]): string[] {
  return goals.map((g) => `  ${g.met ? 'met    ' : 'MISSED '} ${g.goal}: ${g.measured.toFixed(g.measured >= 10 ? 0 : 2)} (${g.target})`);
}
