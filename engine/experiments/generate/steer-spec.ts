// The --steer SPEC syntax (CLI and links): `SITES:COEFFICIENT:SOURCE`, or the same as JSON. Stage: input parsing.
//   L3.block_output:4:token= happy                 the embedding of the token " happy"
//   L0-5.mlp_output:2:diff=I love it|So happy/I hate it|So sad      mean(positive) − mean(negative), '|' between
//                                                  prompts, '/' between the sets (each prompt's last token)
//   L*.block_output:-1.5:vector=0.1,0,-0.2,…       an explicit vector (one value per feature)
//   L2.block_output:3:trained=das/L2_p5.json#0     column 0 (the default) of a saved trained intervention's rotation,
//                                                  normalised (`patchbay das --save-dir`; generate/trained-steer.ts)
//   {"layers": [1, 2], "component": "mlp_output", "coefficient": 2, "positive": ["…"], "negative": ["…"]}
// SITES is L<n>, L<a>-<b> or L* (every layer) and a component. Prompts containing '/' or '|' need the JSON form.
import { PatchbayError } from '../../errors.js';
import { isComponent } from '../../sites/components.js';
import type { SteerSource, SteerSpec } from './steering.js';

export function parseSteerSpec(text: string, nLayers: number): SteerSpec {
  const t = text.trim();
  if (t.startsWith('{')) return fromJson(t, nLayers);
  const m = /^L(\*|\d+(?:-\d+)?)\.([a-z_]+):([^:]+):(token|diff|vector|trained)=(.*)$/s.exec(t);
  if (!m) throw bad(`"${text}" is not SITES:COEFFICIENT:SOURCE (e.g. L3.block_output:4:token= happy)`);
  const [, layers, component, coef, kind, rest] = m as unknown as [string, string, string, string, string, string];
  return { layers: layerRange(layers, nLayers), component: checkComponent(component), coefficient: number(coef, 'coefficient'), source: source(kind, rest) };
}

function source(kind: string, rest: string): SteerSource {
  if (kind === 'token') return { kind: 'token', text: rest };
  if (kind === 'vector') return { kind: 'vector', values: rest.split(',').map((v) => number(v, 'vector value')) };
  if (kind === 'trained') return trained(rest);
  const sets = rest.split('/');
  if (sets.length !== 2) throw bad(`diff= needs exactly one '/' between the positive and the negative prompts; found ${sets.length - 1}`);
  const [positive, negative] = sets.map((s) => s.split('|').filter((p) => p.length > 0)) as [string[], string[]];
  return { kind: 'diff', positive, negative };
}

function layerRange(s: string, n: number): number[] {
  if (s === '*') return Array.from({ length: n }, (_, i) => i);
  const [a, b] = s.split('-').map(Number) as [number, number | undefined];
  const end = b ?? a;
  if (end < a) throw bad(`layer range L${s} runs backwards`);
  return Array.from({ length: end - a + 1 }, (_, i) => a + i);
}

function fromJson(t: string, nLayers: number): SteerSpec {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(t) as Record<string, unknown>;
  } catch (e) {
    throw bad(`the JSON form does not parse: ${(e as Error).message}`);
  }
  const layers = j.layers === '*' ? layerRange('*', nLayers) : Array.isArray(j.layers) ? j.layers.map((l) => number(String(l), 'layer')) : [number(String(j.layer ?? ''), 'layer')];
  const coefficient = number(String(j.coefficient ?? 1), 'coefficient');
  const component = checkComponent(String(j.component ?? 'block_output'));
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : [String(v)]);
  let src: SteerSource;
  if (typeof j.token === 'string') src = { kind: 'token', text: j.token };
  else if (typeof j.trained === 'string') src = trained(j.trained, j.column === undefined ? undefined : number(String(j.column), 'column'));
  else if (Array.isArray(j.vector)) src = { kind: 'vector', values: j.vector.map((v) => number(String(v), 'vector value')) };
  else if (j.positive !== undefined && j.negative !== undefined) src = { kind: 'diff', positive: strings(j.positive), negative: strings(j.negative) };
  else throw bad('the JSON form needs "token", "vector", "trained", or "positive" and "negative"');
  return { layers, component, coefficient, source: src };
}

/** "path.json" or "path.json#k" (column k of the trained rotation). */
function trained(rest: string, column?: number): SteerSource {
  const m = /^(.*?)(?:#(\d+))?$/s.exec(rest.trim())!;
  if (!m[1]) throw bad('trained= needs the path of a trained intervention\'s JSON (written by patchbay das --save-dir)');
  return { kind: 'trained', file: m[1], column: column ?? (m[2] === undefined ? 0 : Number(m[2])) };
}

function checkComponent(c: string) {
  if (!isComponent(c)) throw new PatchbayError('SITE_UNKNOWN', `unknown component "${c}"`, 'steer');
  return c;
}

function number(s: string, what: string): number {
  const v = Number(s.trim());
  if (s.trim() === '' || !Number.isFinite(v)) throw bad(`${what} "${s}" is not a number`);
  return v;
}

function bad(message: string): PatchbayError {
  return new PatchbayError('INPUT_INVALID', message, 'steer');
}
