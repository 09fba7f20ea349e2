import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small shop on loopback for the crawlee examples: `/page/0` … `/page/<pages - 1>`, each listing
 * `products` products and linking to the next two pages.
 */
export async function startShop(pages: number, products: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const n = Number(/^\/page\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
    if (n < 0 || n >= pages) {
      res.writeHead(404).end('not found');
      return;
    }
    const items = Array.from({ length: products }, (_, i) => `<li class="product" data-sku="${n}-${i}">Item ${n}-${i}</li>`).join('');
    const links = [n + 1, n + 2].filter((m) => m < pages).map((m) => `<a href="/page/${m}">page ${m}</a>`).join(' ');
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Page ${n}</title><ul>${items}</ul><nav>${links}</nav>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/page/0`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
