// A queue that runs one job at a time, with a priority lane: a 'high' job starts before every waiting 'normal' one
// (a next-token preview is not queued behind the runs of a trace). Stage: runtime.

export type RunPriority = 'high' | 'normal';

interface Job { start: () => void }

export class RunQueue {
  private readonly lanes: Record<RunPriority, Job[]> = { high: [], normal: [] };
  private running = false;
  private idleWaiters: (() => void)[] = [];

  /** Runs `fn` when every job before it in its lane (and every waiting 'high' job) has finished. */
  push<T>(fn: () => Promise<T>, priority: RunPriority = 'normal'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.lanes[priority].push({
        start: () => {
          fn().then(resolve, reject).finally(() => {
            this.running = false;
            this.next();
          });
        },
      });
      if (!this.running) this.next();
    });
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Jobs waiting (not running) per lane. */
  get waiting(): Record<RunPriority, number> {
    return { high: this.lanes.high.length, normal: this.lanes.normal.length };
  }

  private next(): void {
    const job = this.lanes.high.shift() ?? this.lanes.normal.shift();
    if (!job) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
      return;
    }
    this.running = true;
    job.start();
  }
}
