// The compact JSON printer keeps short structures on one line and always prints JSON that parses back the same.
import { describe, expect, it } from 'vitest';
import { compactJson } from './compact-json';

describe('compactJson', () => {
  it('keeps short values on one line', () => {
    expect(compactJson({ a: [1, 2], b: 'x, y: z' })).toBe('{"a": [1, 2], "b": "x, y: z"}');
  });
  it('breaks long structures and parses back to the same value', () => {
    const v = { base: 'The Eiffel Tower is located in the city of', config: { representations: [{ layer: 2, component: 'block_output', unit: 'pos' }] }, unit_locations: { 'sources->base': [[[[6]]], [[[6]]]] }, q: 'say "hi", ok', r: 'ends with \\', t: ['a\\', 'b,c'] };
    const s = compactJson(v);
    expect(JSON.parse(s)).toEqual(v);
    expect(s).toContain('"unit_locations": {"sources->base": [[[[6]]], [[[6]]]]}');
    expect(s.split('\n').length).toBeLessThan(12);
  });
  it('packs long lists of numbers several to a line', () => {
    const v = { vector: Array.from({ length: 40 }, (_, i) => i * 1.5) };
    const s = compactJson(v);
    expect(JSON.parse(s)).toEqual(v);
    expect(s.split('\n').length).toBeLessThan(10);
  });
});

describe('compactJson on hostile nesting', () => {
  it('prints 2,000 levels of nested arrays without overflowing the stack, and parses back', () => {
    let v: unknown = 6;
    for (let i = 0; i < 2000; i++) v = [v];
    const doc = { unit_locations: { 'sources->base': v } };
    const s = compactJson(doc);
    expect(JSON.parse(s)).toEqual(doc);
  });
  it('still breaks lines in the shallow part of a deep value', () => {
    let v: unknown = 'x'.repeat(80);
    for (let i = 0; i < 100; i++) v = [v];
    const s = compactJson({ a: v, b: 'y'.repeat(70) });
    expect(s.split('\n').length).toBeGreaterThan(20);
    expect(JSON.parse(s)).toEqual({ a: v, b: 'y'.repeat(70) });
  });
});
