import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The generated shop the demo crawls: a single-page app on 127.0.0.1, on a free port. */
export interface DemoSite {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The app keeps one document for the whole crawl and swaps the product list in with `loadPage(n)`,
 * as single-page apps and infinite scrolls do. That is what makes unreleased remote objects leak:
 * each one keeps a detached product node alive, with the product data the app hung on it — which is
 * what shows in the tab's V8 heap (DOM nodes themselves live in Blink's heap). (A full
 * navigation would destroy the execution context, and Chrome would drop the objects by itself.)
 */
const APP = `<!doctype html><meta charset="utf-8"><title>cdp-release demo shop</title>
<main id="list"></main>
<script>
  window.loadPage = async (n) => {
    const products = await (await fetch('/api/page/' + n)).json();
    const list = document.getElementById('list');
    list.replaceChildren(...products.map((p) => {
      const li = document.createElement('article');
      li.className = 'product';
      li.innerHTML = '<h2 class="name"></h2><span class="price"></span><p class="blurb"></p><ul class="tags"></ul>';
      li.querySelector('.name').textContent = p.name;
      li.querySelector('.price').textContent = p.price;
      li.querySelector('.blurb').textContent = p.blurb;
      for (const t of p.tags) li.querySelector('.tags').append(Object.assign(document.createElement('li'), { textContent: t }));
      li.dataset.sku = p.sku;
      li.product = p; // the data behind the card, as frameworks keep it: what a held node keeps alive in V8's heap
      return li;
    }));
    return products.length;
  };
</script>`;

function products(page: number, perPage: number): object[] {
  return Array.from({ length: perPage }, (_, i) => ({
    sku: `SKU-${page}-${i}`,
    name: `Product ${page}.${i}`,
    price: `${((page * 31 + i * 7) % 500) + 0.99}`,
    blurb: `A fine product number ${i} on page ${page}, `.repeat(12),
    reviews: Array.from({ length: 8 }, (_, r) => ({ stars: (i + r) % 5, text: `review ${r} of ${page}.${i}` })),
    tags: ['new', 'sale', `page-${page}`, `row-${i % 10}`],
  }));
}

/** Starts the site on 127.0.0.1 with `perPage` products per page. */
export async function startDemoSite(perPage: number): Promise<DemoSite> {
  const server: Server = createServer((req, res) => {
    const match = /^\/api\/page\/(\d+)$/.exec(req.url ?? '');
    if (match) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(products(Number(match[1]), perPage)));
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(APP);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
