// Generation from an experiment document's interventions, exported (Python-free checks; `npm run check:engines`
// runs the scripts against `patchbay generate --experiment`): the interventions built as the run exports build them,
// the positions each pass writes, Patchbay's source numbering, and every refusal naming its field.
import { describe, expect, it } from 'vitest';
import { PatchbayError } from '../errors.js';
import { exportScript } from './export-script.js';
import { parseGenerateDocument } from './generate-script.js';
import { generationPlan } from './generate-experiment.js';
import { pythonShapeProblems } from './python-shape.js';

const ADD = {
  config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: [0.5, -1, 2] }] },
  unit_locations: { base: [[[2, 5]]] },
};
const SWAP = {
  model: 'onnx-community/pythia-70m-ONNX', base: 'The Eiffel Tower is in', sources: ['The Colosseum is in'],
  config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'VanillaIntervention' }] },
  unit_locations: { 'sources->base': [[[[1]]], [[[3]]]] },
};
const gen = (experiment: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  ({ kind: 'generate', model: 'gpt2-facts', prompt: 'At the end of the day, Emma felt', experiment, max_new_tokens: 6, ...more });
const plan = (experiment: Record<string, unknown>, more: Record<string, unknown> = {}, target: 'pyvene' | 'nnsight' = 'pyvene') =>
  generationPlan(parseGenerateDocument(gen(experiment, more)), target);

/** The error a call throws (code and message), or fails the test. */
function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    return { code: (e as PatchbayError).code, message: (e as Error).message };
  }
  throw new Error('expected an error');
}

describe('generation export from an experiment document', () => {
  it('pyvene: the run export\'s interventions, the prompt positions, each pass\'s positions and the generate --json result', () => {
    const s = exportScript(gen(ADD, { intervene_on: 'both' }), 'pyvene');
    expect(s).toContain('pv.RepresentationConfig(layer=1, component="block_output", unit="pos", max_number_of_units=1, intervention_type=pv.AdditionIntervention, source_representation=torch.tensor([0.5, -1, 2]))');
    expect(s).toContain('base = on_device(tokenizer("At the end of the day, Emma felt", return_tensors="pt"))');
    expect(s).toContain('LOCS = [{"src": [2, 5], "tgt": [2, 5], "source": None}]');
    expect(s).toContain('def pass_locations(length):');
    expect(s).toContain('            for p in range(P - 1, length):');
    expect(s).toContain('where = {"sources->base": ([[s] for s, _ in locs], [[t] for _, t in locs])}');
    expect(s).toContain('_, out = intervenable(ids, CALL_SOURCES, unit_locations=where, subspaces=subspaces)');
    expect(s).toContain('"original": continuation(0), "intervened": continuation(1),');
    expect(s).toContain('"provenance": provenance(PYVENE_VERSION)}');
    expect(s).toContain('\\"intervene_on\\":\\"both\\"'); // the document rides along: G["intervene_on"] is what the script reads
    expect(pythonShapeProblems(s)).toEqual([]);
  });

  it('nnsight: the run export\'s steps with the constant as CONSTANTS, the sources read once, each pass placed', () => {
    const s = exportScript(gen(ADD), 'nnsight');
    expect(s).toContain('STEPS = [{"layer": 1, "component": "block_output", "type": "AdditionIntervention", "src": [2, 5], "tgt": [2, 5], "source": None, "constant": 0}]');
    expect(s).toContain('CONSTANTS = [torch.tensor(v, dtype=torch.float32) for v in [[0.5, -1, 2]]]');
    expect(s).toContain('s = CONSTANTS[step["constant"]].to(h.device, h.dtype).expand(h.shape[0], len(tgt), -1)');
    expect(s).toContain('placed = [dict(step, src=src, tgt=tgt) for step, (src, tgt) in zip(STEPS, pass_locations(len(seq)))]');
    expect(s).toContain('"provenance": provenance(NNSIGHT_VERSION, args.remote)}');
    expect(pythonShapeProblems(s)).toEqual([]);
  });

  it('the prompt replaces the base (or the base is the prompt); the model comes from the document; sources read in Patchbay\'s numbering', () => {
    const own = parseGenerateDocument({ kind: 'generate', experiment: SWAP });
    const s = exportScript(own, 'pyvene');
    expect(s).toContain('MODEL = "EleutherAI/pythia-70m"');
    expect(s).toContain('base = on_device(tokenizer("The Eiffel Tower is in", return_tensors="pt"))');
    expect(s).toContain('LOCS = [{"src": [1], "tgt": [3], "source": 0}]');
    expect(plan(SWAP).doc.base).toBe('At the end of the day, Emma felt');
    // Zero reads nothing and a constant reads nothing: the n-th reader reads source n.
    const three = {
      ...SWAP, sources: ['a b c d', 'e f g h'],
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'ZeroIntervention' },
        { layer: 1, component: 'block_output', intervention_type: 'VanillaIntervention' }, { layer: 2, component: 'mlp_output', intervention_type: 'VanillaIntervention' }] },
      unit_locations: { 'sources->base': [[[[0]], [[1]], [[2]]], [[[0]], [[1]], [[2]]]] },
    };
    expect(plan(three).locations.map((l) => l.source)).toEqual([null, 0, 1]);
    expect(exportScript(gen(three), 'nnsight')).toContain('"source": 0}, {"layer": 2, "component": "mlp_output", "type": "VanillaIntervention", "src": [2], "tgt": [2], "source": 1}]');
    const keyed = { ...three, config: { representations: three.config.representations.map((r, i) => (i === 0 ? r : { ...r, group_key: 2 - i })) } };
    expect(plan(keyed).locations.map((l) => l.source)).toEqual([null, 1, 0]);
  });

  it('collects are dropped (generation writes; it does not collect); document-level constant sources move onto their interventions', () => {
    const doc = {
      ...SWAP, source_representations: { 1: [1, 2, 3] },
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'CollectIntervention' },
        { layer: 1, component: 'block_output', intervention_type: 'AdditionIntervention' }, SWAP.config.representations[0]] },
      unit_locations: { 'sources->base': [[[[0]], [[2]], [[1]]], [[[0]], [[2]], [[3]]]] },
    };
    const p = plan(doc);
    expect(p.doc.config.representations.map((r) => r.intervention_type)).toEqual(['AdditionIntervention', 'VanillaIntervention']);
    expect(p.doc.config.representations[0]!.source_representation).toEqual([1, 2, 3]);
    expect(p.locations).toEqual([{ src: [2], tgt: [2], source: null }, { src: [1], tgt: [3], source: 0 }]);
    expect(p.doc.unit_locations).toEqual({ 'sources->base': [[[[2]], [[1]]], [[[2]], [[3]]]] });
    expect(exportScript(gen(doc), 'pyvene')).not.toContain('pv.CollectIntervention');
  });

  it('serial chains: the earlier hops as the document gives them, only the last hop placed per pass', () => {
    const chain = {
      ...SWAP, sources: ['The Colosseum is in', 'Big Ben is in'], unit_locations: { 'source_0->source_1': [[[[2]]], [[[2]]]], 'source_1->base': [[[[1]]], [[[3]]]] },
      config: { mode: 'serial', representations: [SWAP.config.representations[0], { ...SWAP.config.representations[0], layer: 3 }] },
    };
    const pv = exportScript(gen(chain), 'pyvene');
    expect(pv).toContain('HOPS = {"source_0->source_1": ([[[2]]], [[[2]]])}');
    expect(pv).toContain('where = {**HOPS, "source_%d->base" % (len(LOCS) - 1): ([[locs[-1][0]]], [[locs[-1][1]]])}');
    expect(pv).toContain('LOCS = [{"src": [2], "tgt": [2], "source": 0}, {"src": [1], "tgt": [3], "source": 1}]');
    expect(pythonShapeProblems(pv)).toEqual([]);
    const nn = exportScript(gen(chain), 'nnsight');
    expect(nn).toContain('SERIAL = True');
    expect(nn).toContain('return run(ids, patches[-1:] if SERIAL else patches)[0]');
    expect(pythonShapeProblems(nn)).toEqual([]);
    // The earlier hops write into source runs, which generation leaves alone: pyvene carries a rotation there.
    const rotatedFirst = { ...chain, config: { ...chain.config, representations: [{ ...chain.config.representations[0], intervention_type: 'RotatedSpaceIntervention', params: { rotation: [[1]] } }, chain.config.representations[1]] } };
    expect(exportScript(gen(rotatedFirst), 'pyvene')).toContain('intervention_type=pv.RotatedSpaceIntervention');
  });

  it('refuses, naming the field, what it cannot reproduce exactly', () => {
    const rep = (r: Record<string, unknown>) => ({ ...SWAP, config: { representations: [{ ...SWAP.config.representations[0], ...r }] } });
    const cases: [Record<string, unknown>, Record<string, unknown>, 'pyvene' | 'nnsight', RegExp][] = [
      [SWAP, { steer: 'L0.block_output:1:token= a' }, 'pyvene', /^steer: give exactly one of "steer" .* and "experiment"/],
      [{ ...SWAP, sources: ['a', 'b'], unit_locations: { 'source_0->source_1': 1, 'source_1->base': 2 }, config: { mode: 'serial', representations: [
        SWAP.config.representations[0], { ...SWAP.config.representations[0], intervention_type: 'AdditionIntervention', source_representation: [1] }] } },
      {}, 'pyvene', /^experiment\.config\.representations\[1\]\.intervention_type: .*a serial chain reads a source at every hop/],
      [rep({ intervention_type: 'NoiseIntervention' }), {}, 'nnsight', /^experiment\.config\.representations\[0\]\.intervention_type: .*NoiseIntervention draws fresh noise on every pass/],
      [rep({ unit: 'h.pos', component: 'head_attention_value_output' }), {}, 'pyvene', /^experiment\.config\.representations\[0\]\.unit: .*token positions/],
      [rep({ intervention_type: 'RotatedSpaceIntervention', params: { rotation: [[1]] } }), { intervene_on: 'generated' }, 'pyvene', /^experiment\.config\.representations\[0\]\.intervention_type: .*pyvene applies it to all of a pass's positions jointly/],
      [rep({ intervention_type: 'RotatedSpaceIntervention', max_number_of_units: 2, params: { rotation: [[1]] } }), {}, 'nnsight', /^experiment\.config\.representations\[0\]: .*units rotated together/],
      [{ ...SWAP, unit_locations: { 'sources->base': [[[[1], [2]]], [[[3], [3]]]] } }, {}, 'nnsight', /^experiment\.unit_locations: .*per-row locations/],
      [{ ...SWAP, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'CollectIntervention' }] } }, {}, 'pyvene', /no intervention that writes/],
      [SWAP, { temperature: 0.8 }, 'nnsight', /^temperature: the export decodes greedily/],
      [{ ...SWAP, config: { representations: [{ layer: 'x' }] } }, {}, 'pyvene', /^experiment\.config\.representations\[0\]/],
    ];
    for (const [experiment, more, target, message] of cases) {
      const e = thrown(() => exportScript(gen(experiment, more), target));
      expect(e.message).toMatch(message);
      expect(['CONFIG_UNSUPPORTED', 'EXPERIMENT_INVALID']).toContain(e.code);
    }
    expect(thrown(() => exportScript({ kind: 'generate', steer: 'L0.block_output:1:token= a' }, 'pyvene')).message).toMatch(/^prompt: a steering document needs "prompt"/);
    expect(thrown(() => exportScript({ kind: 'generate', prompt: 'a' }, 'pyvene')).message).toMatch(/^steer: give exactly one/);
    expect(thrown(() => exportScript(gen({ ...SWAP, base: ['a b', 'c d'] }, { prompt: undefined }), 'pyvene')).message).toMatch(/^experiment\.base: .*2 rows/);
    // What pyvene refuses at the generated tokens it carries on the prompt alone, and nnsight at every position.
    const rotated = rep({ intervention_type: 'RotatedSpaceIntervention', params: { rotation: [[1, 0], [0, 1]], interchange_dim: 1 } });
    expect(exportScript(gen(rotated, { intervene_on: 'prompt' }), 'pyvene')).toContain('intervention_type=pv.RotatedSpaceIntervention');
    expect(exportScript(gen(rotated, { intervene_on: 'generated' }), 'nnsight')).toContain('"type": "RotatedSpaceIntervention"');
  });
});
