// The run queue: one job at a time, in order per lane, 'high' jobs before waiting 'normal' ones.
import { describe, expect, it } from 'vitest';
import { RunQueue } from './run-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('RunQueue', () => {
  it('never runs two jobs at once and keeps each lane in order', async () => {
    const q = new RunQueue();
    let active = 0;
    let maxActive = 0;
    const order: string[] = [];
    const job = (name: string) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await tick();
      order.push(name);
      active--;
      return name;
    };
    const all = await Promise.all([q.push(job('a')), q.push(job('b')), q.push(job('c'))]);
    expect(all).toEqual(['a', 'b', 'c']);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(maxActive).toBe(1);
  });

  it('starts a high-priority job before waiting normal ones, after the running one', async () => {
    const q = new RunQueue();
    const order: string[] = [];
    const job = (name: string) => async () => { await tick(); order.push(name); };
    const runs = [q.push(job('n1')), q.push(job('n2')), q.push(job('n3'))];
    expect(q.waiting).toEqual({ high: 0, normal: 2 });
    runs.push(q.push(job('preview'), 'high'));
    await Promise.all(runs);
    expect(order).toEqual(['n1', 'preview', 'n2', 'n3']);
  });

  it('goes on after a failed job and reports idle', async () => {
    const q = new RunQueue();
    const failed = q.push(async () => { throw new Error('boom'); });
    const after = q.push(async () => 7);
    await expect(failed).rejects.toThrow('boom');
    expect(await after).toBe(7);
    await q.idle();
    expect(q.waiting).toEqual({ high: 0, normal: 0 });
  });
});
