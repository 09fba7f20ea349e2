import type { ServerResponse } from 'node:http';

/** The latest frames, at most `limit` bytes of them, oldest dropped first. */
class Replay {
  #frames: string[] = [];
  #start = 0;
  #bytes = 0;
  constructor(readonly limit: number) {}
  push(frame: string): void {
    this.#frames.push(frame);
    this.#bytes += frame.length;
    while (this.#bytes > this.limit && this.#start < this.#frames.length - 1) this.#bytes -= (this.#frames[this.#start++] as string).length;
    if (this.#start > 1024 && this.#start * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#start);
      this.#start = 0;
    }
  }
  text(): string {
    return this.#frames.slice(this.#start).join('');
  }
}

/**
 * One Server-Sent-Events stream written to every open page: the first frame (`hello`) kept for
 * every page, the latest frames (at most `replayBytes`) replayed to a page that connects late, and a
 * page that stops reading (more than `maxBufferedBytes` waiting) dropped, never buffered without end.
 */
export class EventFanOut {
  readonly #pages = new Set<ServerResponse>();
  readonly #replay: Replay;
  readonly #maxBufferedBytes: number;
  #hello = '';
  #ended = false;

  constructor(limits: { readonly replayBytes: number; readonly maxBufferedBytes: number }) {
    this.#replay = new Replay(limits.replayBytes);
    this.#maxBufferedBytes = limits.maxBufferedBytes;
  }

  /** Pages with a stream open now. */
  get size(): number {
    return this.#pages.size;
  }

  /** True once the stream ended: pages that connect now get the whole story and an end. */
  get ended(): boolean {
    return this.#ended;
  }

  /** One frame to every page (and to the replay). */
  send(frame: string): void {
    if (this.#hello === '') this.#hello = frame;
    else this.#replay.push(frame);
    for (const page of this.#pages) {
      page.write(frame);
      if (page.writableLength > this.#maxBufferedBytes) this.#drop(page);
    }
  }

  /** A page's stream (its headers written): `hello`, the replay, then every frame until the end. */
  attach(res: ServerResponse, closed: { on(event: 'close', listener: () => void): unknown }): void {
    res.write(this.#hello + this.#replay.text());
    if (this.#ended) {
      res.end();
      return;
    }
    this.#pages.add(res);
    res.on('error', () => this.#drop(res));
    closed.on('close', () => this.#pages.delete(res));
  }

  /** Ends every page's stream (the final state was sent), so pages stop listening instead of reconnecting. */
  end(): void {
    this.#ended = true;
    for (const page of this.#pages) page.end();
    this.#pages.clear();
  }

  #drop(page: ServerResponse): void {
    this.#pages.delete(page);
    page.destroy();
  }
}
