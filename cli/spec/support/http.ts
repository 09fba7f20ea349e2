import { request } from 'node:http';
import { connect } from 'node:net';

/** Sends raw bytes and collects the answer until the server closes, or `ms` pass. */
export function raw(port: number, text: string, ms = 2_000): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

export interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string; ended: boolean }

/** One request; resolves when the answer ended, or after `ms` with what came (`ended` false). */
export function get(port: number, path: string, opts: { method?: string; host?: string; ms?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: opts.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      const timer = setTimeout(() => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ended: false });
      }, opts.ms ?? 2_000);
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ended: true });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

