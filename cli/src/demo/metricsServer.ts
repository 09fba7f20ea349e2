import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ReleaseBatcher, RemoteObjectCensus } from 'cdp-release-batcher';
import { instrumentBatcher, instrumentCensus, METER_NAME, PROMETHEUS_VIEWS } from 'cdp-release-batcher/otel';
import { refuse, startLoopbackServer } from './requestGuard.js';

export interface MetricsServer {
  /** http://127.0.0.1:PORT/metrics */
  readonly url: string;
  /** Stops the instruments and the server. Idempotent. */
  close(): Promise<void>;
}

/** What a metrics server reports on: a run's batcher and census. */
export interface Measured {
  readonly batcher: ReleaseBatcher;
  readonly census: RemoteObjectCensus;
}

/**
 * Serves a run's metrics in the Prometheus text exposition format at `http://127.0.0.1:PORT/metrics`
 * (`port` 0: any free one). The figures are the library's OpenTelemetry instruments
 * (`cdp-release-batcher/otel`) on a meter provider of this server's own, read by the OpenTelemetry
 * Prometheus exporter at each scrape — the same instruments a user's crawler registers with their
 * own SDK, under the names the exporter gives them (`cdp_release_releases_total`, ...).
 *
 * The exporter's request handler runs behind the dashboard's guard, on loopback only: `GET`/`HEAD`
 * with a `Host` of `127.0.0.1:PORT` or `localhost:PORT` (else `403`), a target that is a path (else
 * `400`), `/metrics` only (else `404`); a handler that throws answers `500` and the crawl goes on.
 */
export async function startMetricsServer(measured: Measured, port = 0): Promise<MetricsServer> {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  // Names that end in their base unit, as Prometheus wants them (the exporter does not append it).
  const provider = new MeterProvider({ readers: [exporter], views: PROMETHEUS_VIEWS.map((view) => ({ ...view })) });
  const http = await startLoopbackServer(port, (req, res, path) => {
    if (path === '/metrics') exporter.getMetricsRequestHandler(req, res);
    else refuse(res, { status: 404, text: 'not found: the metrics are at /metrics' });
  }).catch(async (error: unknown) => {
    await provider.shutdown().catch(() => undefined); // the port is taken (or refused): nothing stays behind
    throw error;
  });
  const meter = provider.getMeter(METER_NAME);
  const stops = [instrumentBatcher(measured.batcher, { meter }), instrumentCensus(measured.census, { meter })];

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${http.port}/metrics`,
    close() {
      closing ??= (async () => {
        for (const stop of stops) stop();
        await http.close();
        await provider.shutdown().catch(() => undefined);
      })();
      return closing;
    },
  };
}
