/**
 * Cooperative turns for decisions: at most `perTurn` decisions start per turn of the event loop, in arrival order.
 *
 * Why: a decision is ~150-200 us of synchronous work on the main thread. Without turns, every request that arrived in
 * one poll of the event loop is decided back to back before the loop looks at anything else, so the completion of the
 * group commit in flight (a libuv callback) waits behind all of them, and so does every response of that batch and
 * the start of the next commit. Under load that wait was most of a commit cycle. With turns, the loop gets back to
 * its I/O (commit completions, new sockets) every few decisions; measured side by side with `bench:decision`'s load,
 * 4 per turn gave 9-21% more decisions/s than none in 7 of 7 rounds, at the same or lower p99
 * (decision/PERFORMANCE.md).
 */
export class TurnScheduler {
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly perTurn = 4) {
    if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError('perTurn must be a positive integer');
  }

  /** Resolves when it is this caller's turn to start its work. */
  turn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.run);
      }
    });
  }

  /** Callers waiting for a turn. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  private readonly run = (): void => {
    const end = Math.min(this.waiting.length, this.head + this.perTurn);
    while (this.head < end) this.waiting[this.head++]!();
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
      this.scheduled = false;
    } else {
      // A queue that never empties under load must not grow without bound at its front.
      if (this.head > 1024) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      setImmediate(this.run);
    }
  };
}
