/**
 * Admits at most `limit` connection set-ups (TCP connect, key exchange, authentication) at once; the rest
 * wait their turn in order. Bounds the CPU burst and the sockets of a fan-out to hundreds of hosts, so that
 * no handshake waits so long behind the others that it times out.
 */
import { RunbookError } from '../../errors.js';

interface Waiter {
  readonly limit: number;
  readonly admit: () => void;
}

export class ConnectGate {
  #active = 0;
  readonly #waiting: Waiter[] = [];
  /** The most set-ups in flight at one moment so far, for the benchmark and tests. */
  peak = 0;

  /** Waits for a slot under `limit`; call the returned function when the set-up has finished or failed. */
  async enter(limit: number, signal: AbortSignal): Promise<() => void> {
    if (this.#active >= limit || this.#waiting.length > 0) {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          limit,
          admit: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          reject(new RunbookError('ABORTED', 'interrupted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.#waiting.push(waiter);
      });
    } else this.#take();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#active -= 1;
      this.#admitWaiting();
    };
  }

  #take(): void {
    this.#active += 1;
    this.peak = Math.max(this.peak, this.#active);
  }

  #admitWaiting(): void {
    while (this.#waiting.length > 0 && this.#active < this.#waiting[0]!.limit) {
      this.#take();
      this.#waiting.shift()!.admit();
    }
  }
}
