import type { SchedulerLike, Subscription } from 'rxjs';
import type { CdpTarget } from '../../src/target';
import { VirtualAnswer } from '../../src/testing/testTarget';

export { VirtualAnswer };

/** How a virtual target answers one call: after `delay` frames with success or an error, or never. */
export type Answer = { delay: number; error?: unknown } | 'never';

export interface SentCall {
  time: number;
  method: string;
  id: string;
  answer: VirtualAnswer;
}

/** A CDP target living in virtual time: records every call, answers as `answer` says. */
export class VirtualTarget implements CdpTarget {
  readonly calls: SentCall[] = [];
  outstanding = 0;
  maxOutstanding = 0;
  readonly #timers: Subscription[] = [];

  constructor(
    readonly name: string,
    private readonly scheduler: SchedulerLike,
    private readonly answer: (id: string, method: string) => Answer = () => ({ delay: 1 }),
  ) {}

  send(method: string, params: { objectId?: string; objectGroup?: string }): PromiseLike<unknown> {
    const id = params.objectId ?? params.objectGroup ?? '';
    const answer = new VirtualAnswer();
    this.calls.push({ time: this.scheduler.now(), method, id, answer });
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const how = this.answer(id, method);
    if (how !== 'never') {
      this.#timers.push(
        this.scheduler.schedule(() => {
          this.outstanding--;
          if (how.error === undefined) answer.resolve({});
          else answer.reject(how.error);
        }, how.delay),
      );
    }
    return answer;
  }

  /** Ids sent, in order. */
  get ids(): string[] {
    return this.calls.map((c) => c.id);
  }

  /** Virtual times at which calls were sent, in order. */
  get sendTimes(): number[] {
    return this.calls.map((c) => c.time);
  }
}

/** A Chrome-style protocol error, as chrome-remote-interface rejects with. */
export function protocolError(message: string, code = -32000): Error & { response: { code: number; message: string } } {
  return Object.assign(new Error(message), { response: { code, message } });
}
