// Small pure parts of the store: reading the link out of a URL fragment, download totals and speed, and which
// model origins need the user's approval.
import { describe, expect, it } from 'vitest';
import { linkFromHash } from './url-sync';
import { downloadStats, type ModelLoad } from './model-slice';
import { HUB, isApproved, modelOrigin } from './approvals';

describe('linkFromHash', () => {
  it('finds the e= parameter', () => {
    expect(linkFromHash('#e=1.abc')).toBe('1.abc');
    expect(linkFromHash('#x=1&e=1.abc')).toBe('1.abc');
    expect(linkFromHash('')).toBeNull();
    expect(linkFromHash('#')).toBeNull();
    expect(linkFromHash('#other')).toBe('');
  });
});

describe('downloadStats', () => {
  const base: ModelLoad = { status: 'loading', ref: null, files: {}, stage: null, startedAt: 0, summary: null, error: null };
  it('sums files and knows the total only when every size is known', () => {
    const m = { ...base, files: { a: { loaded: 100, total: 400, done: false }, b: { loaded: 50, total: 100, done: false } } };
    expect(downloadStats(m, 1000)).toEqual({ loaded: 150, total: 500, speed: 150 });
    const unknown = { ...base, files: { a: { loaded: 100, done: false } } };
    expect(downloadStats(unknown, 1000).total).toBeNull();
  });
});

describe('approvals', () => {
  it('needs no approval for bundled or local models, and pre-approves the hub', () => {
    expect(modelOrigin({ kind: 'bundled', id: 'x' })).toBeNull();
    expect(isApproved(modelOrigin({ kind: 'local', name: 'm' }))).toBe(true);
    expect(modelOrigin({ kind: 'hub', repo: 'a/b', variant: 'fp32', endpoint: null })).toBe(HUB);
    expect(isApproved(HUB)).toBe(true);
  });
  it('asks for other origins, including hub mirrors', () => {
    const mirror = modelOrigin({ kind: 'hub', repo: 'a/b', variant: 'fp32', endpoint: 'https://mirror.example' });
    expect(mirror).toBe('https://mirror.example');
    expect(isApproved(mirror)).toBe(false);
    expect(isApproved(modelOrigin({ kind: 'url', url: 'https://evil.example/m', variant: 'fp32' }))).toBe(false);
  });
});
