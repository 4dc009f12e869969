// The share link: round trip, old links (fixtures) still opening, clear errors for damaged links, and size.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decode, encode, jsonDepth, MAX_JSON_BYTES, MAX_JSON_DEPTH } from './codec';
import { CURRENT_VERSION, defaultExperiment, type Experiment } from './schema';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function typical(): Experiment {
  const e = defaultExperiment();
  e.model = { kind: 'bundled', id: 'gpt2-facts' };
  e.view = 'intervene';
  return e;
}

function raw(json: string): string {
  const b = deflateSync(new TextEncoder().encode(json));
  return `1.${Buffer.from(b).toString('base64url')}`;
}

describe('link codec', () => {
  it('round-trips an experiment exactly', () => {
    const e = typical();
    e.trace.noise = 0.25;
    e.trace.answer = ' Paris';
    e.classroom.hide = ['trace.seed'];
    const d = decode(encode(e));
    expect(d).toEqual({ ok: true, value: e });
  });

  it('keeps a typical experiment under 2,000 characters', () => {
    const text = encode(typical());
    expect(text.length).toBeLessThan(2000);
    expect(text.length).toBeLessThan(1000); // v4 added the Generate view's settings (~60 characters compressed), v5 Probe vs DAS and attribution (~180)
  });

  it('opens every old link in fixtures/ and lifts it to the current version', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.link'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const d = decode(readFileSync(join(FIXTURES, f), 'utf8').trim());
      expect(d.ok, f).toBe(true);
      if (d.ok) expect(d.value.v).toBe(CURRENT_VERSION);
    }
  });

  it('keeps the meaning of the v1 fixtures', () => {
    const read = (f: string) => decode(readFileSync(join(FIXTURES, f), 'utf8').trim());
    const trace = read('v1-trace.link');
    expect(trace.ok && trace.value.trace.subject).toBe('Eiffel Tower');
    const url = read('v1-intervene-url.link');
    expect(url.ok && url.value.view).toBe('intervene');
    expect(url.ok && url.value.classroom.presentation).toBe(true);
  });

  it('migrates v1 model strings to structured references', () => {
    const read = (f: string) => decode(readFileSync(join(FIXTURES, f), 'utf8').trim());
    expect(read('v1-trace.link')).toMatchObject({ ok: true, value: { model: { kind: 'bundled', id: 'gpt2-facts' } } });
    expect(read('v1-intervene-url.link')).toMatchObject({ ok: true, value: { model: { kind: 'url', url: 'https://models.example.org/my-gpt2', variant: 'fp32' } } });
    expect(read('v1-sweep-hub.link')).toMatchObject({ ok: true, value: { model: { kind: 'hub', repo: 'Xenova/gpt2', endpoint: null } } });
  });

  it('migrates v2 traces to v3 (no replacement text yet)', () => {
    const d = decode(readFileSync(join(FIXTURES, 'v2-trace-hub-mirror.link'), 'utf8').trim());
    expect(d).toMatchObject({ ok: true, value: { v: CURRENT_VERSION, trace: { corruption: 'replace', replacement: '', kinds: ['resid'] },
      model: { kind: 'hub', repo: 'onnx-community/pythia-70m', variant: 'quantized', endpoint: 'https://hf-mirror.example.com' } } });
  });

  it('migrates v3 links to v4 (default Generate settings) and keeps v4 Generate settings', () => {
    const v3 = decode(readFileSync(join(FIXTURES, 'v3-trace-replace.link'), 'utf8').trim());
    expect(v3).toMatchObject({ ok: true, value: { v: CURRENT_VERSION, generate: defaultExperiment().generate } });
    const v4 = decode(readFileSync(join(FIXTURES, 'v4-generate-steer.link'), 'utf8').trim());
    expect(v4).toMatchObject({ ok: true, value: { view: 'generate', generate: {
      prompt: 'At the end of the day, Emma felt', intervene_on: 'generated', temperature: 0.8, top_k: 40, top_p: 0.9, seed: 7, max_new_tokens: 16,
      steer: { kind: 'diff', layers: [1, 2], component: 'mlp_output', coefficient: -2.5, positive: ['The day was wonderful', 'I am happy'] },
    } } });
  });

  it('migrates v4 links to v5 (default Probe vs DAS and attribution settings) and keeps v5 settings', () => {
    const v4 = decode(readFileSync(join(FIXTURES, 'v4-generate-steer.link'), 'utf8').trim());
    expect(v4).toMatchObject({ ok: true, value: { v: 5, view: 'generate', probe: defaultExperiment().probe, attribution: defaultExperiment().attribution } });
    const v5 = decode(readFileSync(join(FIXTURES, 'v5-probe-das.link'), 'utf8').trim());
    expect(v5).toMatchObject({ ok: true, value: { view: 'probe', model: { kind: 'bundled', id: 'pythia-facts' },
      probe: { template: 'NAME ran because', names: [['James', 'John'], ['Sarah', 'Emma']], layers: [0, 3], positions: [-3, -1],
        intervention_type: 'BoundlessRotatedSpaceIntervention', rank: 2, steps: 12, batch: 4, lr: 0.05, seed: 7, test_fraction: 0.25, max_pairs: 40 },
      attribution: { clean: 'Emma walked because', corrupt: 'John walked because', answer: null, component: 'mlp_output' } } });
  });

  it.each([
    ['probe.steps', { steps: 0 }], ['probe.lr', { lr: 0 }], ['probe.names.0', { names: [Array(257).fill('A'), []] }],
    ['probe.positions', { positions: [] }], ['probe.positions', { positions: 'first' }], ['probe.rank', { rank: 1.5 }],
    ['probe.test_fraction', { test_fraction: 1 }], ['probe.intervention_type', { intervention_type: 'NoiseIntervention' }],
  ])('rejects an out-of-range Probe vs DAS setting, naming %s', (path, bad) => {
    const e = typical();
    const d = decode(raw(JSON.stringify({ ...e, probe: { ...e.probe, ...bad } })));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.message).toContain(path);
  });

  it.each([
    ['', 'LINK_EMPTY'],
    ['hello', 'LINK_CORRUPT'],
    ['1.', 'LINK_CORRUPT'],
    ['1.@@@', 'LINK_CORRUPT'],
    ['2.abcd', 'LINK_CORRUPT'],
    ['1.' + 'A'.repeat(40000), 'LINK_TOO_LONG'],
  ])('rejects %j with %s', (text, code) => {
    const d = decode(text);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.code).toBe(code);
  });

  it('rejects a truncated link with a clear message', () => {
    const text = encode(typical());
    const d = decode(text.slice(0, text.length - 20));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.message).toMatch(/damaged|cut/);
  });

  it('rejects valid JSON that is not an experiment, naming the field', () => {
    const e = { ...typical(), trace: { ...typical().trace, samples: -3 } };
    const d = decode(raw(JSON.stringify(e)));
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error.code).toBe('LINK_INVALID');
      expect(d.error.message).toContain('trace.samples');
    }
    expect(decode(raw('[1,2]')).ok).toBe(false);
    expect(decode(raw('"x"')).ok).toBe(false);
  });

  it('rejects unknown fields instead of carrying them along', () => {
    const d = decode(raw(JSON.stringify({ ...typical(), script: 'alert(1)' })));
    expect(d.ok).toBe(false);
  });

  it('accepts only http(s) model URLs', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd']) {
      const d = decode(raw(JSON.stringify({ ...typical(), model: { kind: 'url', url, variant: 'fp32' } })));
      expect(d.ok, url).toBe(false);
    }
    expect(decode(raw(JSON.stringify({ ...typical(), model: { kind: 'url', url: 'https://a.example/m', variant: 'fp32' } }))).ok).toBe(true);
  });

  it('says when a link comes from a newer version', () => {
    const d = decode(raw(JSON.stringify({ ...typical(), v: CURRENT_VERSION + 1 })));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.code).toBe('LINK_TOO_NEW');
  });

  it('stops a compression bomb before it expands', () => {
    const bomb = `{"v":1,"pad":"${' '.repeat(MAX_JSON_BYTES * 4)}"}`;
    const d = decode(raw(bomb));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.message).toMatch(/more data/);
  });

  it('refuses the 2,000-level unit_locations link (the one that blanked the app) with a clear message', () => {
    let deep: unknown = 6;
    for (let i = 0; i < 2000; i++) deep = [deep];
    const e = typical();
    e.intervention = { ...e.intervention, unit_locations: { 'sources->base': deep } };
    const link = encode(e);
    expect(link.length).toBeLessThan(1200); // small: the depth, not the size, is what is refused
    const d = decode(link);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error.code).toBe('LINK_INVALID');
      expect(d.error.message).toMatch(/nests 2003 levels deep; experiments nest at most 32/);
    }
  });

  it('measures JSON depth outside strings only, and accepts the nesting real experiments use', () => {
    expect(jsonDepth('{"a": "[[[[{{{{", "b": [[1], {"c": "\\"}]}')).toBe(3);
    expect(jsonDepth('6')).toBe(0);
    expect(jsonDepth(JSON.stringify(typical()))).toBeLessThanOrEqual(MAX_JSON_DEPTH);
    expect(decode(encode(typical())).ok).toBe(true);
  });
});
