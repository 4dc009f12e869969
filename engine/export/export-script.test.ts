// The exported scripts (Python-free checks; `npm run check:engines` runs them in pyvene and nnsight): the command-line
// contract, the document carried, the model mapping, and what each target refuses. `patchbay export`: bin/commands/export.test.ts.
import { describe, expect, it } from 'vitest';
import { exportScript } from './export-script.js';
import { pythonShapeProblems } from './python-shape.js';
import { parseTraceDocument, traceDocumentOptions } from './trace-document.js';

const RUN = {
  model: 'Xenova/gpt2', base: 'The Eiffel Tower is in', sources: ['The Colosseum is in'],
  config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'VanillaIntervention' }] },
  unit_locations: { 'sources->base': 3 },
};
const TRACE = { kind: 'trace', model: 'Xenova/gpt2', prompt: 'The Eiffel Tower is in', subject: 'Eiffel Tower', samples: 3, window: 4 };
const GENERATE = { kind: 'generate', model: 'gpt2-facts', prompt: 'At the end of the day, Emma felt', steer: 'L*.mlp_output:2:token= happy', max_new_tokens: 5 };
const SWEEP = { kind: 'sweep', model: 'onnx-community/pythia-70m-ONNX', base: 'a b c', source: 'd e f' };

describe('exportScript', () => {
  it('pyvene run: the command line, the mapped model, the experiment and the result format', () => {
    const s = exportScript(RUN, 'pyvene');
    expect(s).toContain('MODEL = "openai-community/gpt2"');
    for (const flag of ['"--model"', '"--remote"', '"--out", required=True', '"--device"']) expect(s).toContain(`ap.add_argument(${flag}`);
    expect(s).toContain('pv.RepresentationConfig(layer=2, component="block_output"');
    expect(s).toContain('unit_locations = {"sources->base": 3}');
    expect(s).toMatch(/"original": prediction\(original\[0\], K, FULL\)/);
    expect(s).toContain('"provenance": provenance(PYVENE_VERSION)');
    expect(s).toMatch(/if args\.remote:\n\s+sys\.exit\("pyvene runs the model on this machine/);
  });

  it('nnsight run: NDIF behind --remote with the key from the environment; the steps as data', () => {
    const s = exportScript(RUN, 'nnsight');
    expect(s).toContain('os.environ.get("NDIF_API_KEY")');
    expect(s).toContain('lm.trace(ids, remote=args.remote)');
    expect(s).toContain('STEPS = [{"layer": 2, "component": "block_output", "type": "VanillaIntervention", "src": [3], "tgt": [3], "source": 0}]');
  });

  it('nnsight run: group keys pick the source as pyvene does (the i-th key in ascending order reads source i)', () => {
    const keyed = {
      ...RUN, sources: ['The Colosseum is in', 'Big Ben is in'],
      config: { representations: [
        { layer: 1, component: 'block_output', intervention_type: 'VanillaIntervention', group_key: 7 },
        { layer: 2, component: 'mlp_output', intervention_type: 'VanillaIntervention', group_key: 3 },
      ] },
      unit_locations: { 'sources->base': [[[[1]], [[2]]], [[[1]], [[2]]]] },
    };
    const steps = /STEPS = (\[.*\]) {2}#/.exec(exportScript(keyed, 'nnsight'))![1]!;
    expect((JSON.parse(steps) as { source: number }[]).map((x) => x.source)).toEqual([1, 0]);
    // The builder's single interchange carries group_key 0: it exports.
    const builder = { ...RUN, config: { representations: [{ ...RUN.config.representations[0]!, group_key: 0 }] } };
    expect(exportScript(builder, 'nnsight')).toContain('"source": 0}]');
    const partly = { ...keyed, config: { representations: [keyed.config.representations[0]!, { ...keyed.config.representations[1]!, group_key: undefined }] } };
    expect(() => exportScript(partly, 'nnsight')).toThrow(/every intervention that reads a source needs one/);
    // pyvene itself raises on descending keys: the export says so instead of writing a script that fails.
    expect(() => exportScript(keyed, 'pyvene')).toThrow(/needs the keys to be 0, 1, … in the representations' order; found 7, 3/);
    const renumbered = { ...keyed, config: { representations: [{ ...keyed.config.representations[1]!, group_key: 0 }, { ...keyed.config.representations[0]!, group_key: 1 }] } };
    expect(exportScript(renumbered, 'pyvene')).toContain('group_key=1');
    const shared = { ...RUN, config: { representations: [{ ...RUN.config.representations[0]!, group_key: 0 }, { ...RUN.config.representations[0]!, layer: 3, group_key: 0 }] } };
    expect(exportScript(shared, 'pyvene')).toContain('group_key=0');
  });

  it('sweeps export for both targets with the Pythia origin', () => {
    for (const target of ['pyvene', 'nnsight'] as const) {
      const s = exportScript(SWEEP, target);
      expect(s).toContain('MODEL = "EleutherAI/pythia-70m"');
      expect(s).toContain('write(sweep_result(values,');
      expect(s).toContain('"low_score": score(base_logits), "high_score": score(source_logits)');
    }
  });

  it('nnsight refuses what it does not carry, naming it; invalid documents are coded errors', () => {
    const rotated = { ...RUN, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention' }] } };
    expect(() => exportScript(rotated, 'nnsight')).toThrow(/does not carry intervention 0: RotatedSpaceIntervention \(use --to pyvene\)/);
    const heads = { ...RUN, config: { representations: [{ layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'VanillaIntervention' }] } };
    expect(() => exportScript(heads, 'nnsight')).toThrow(/unit "h"/);
    expect(() => exportScript({ base: 3 }, 'pyvene')).toThrow(/EXPERIMENT_INVALID|base/);
    expect(() => exportScript({ kind: 'sweep', base: 'a' }, 'nnsight')).toThrow(/"source" must be a string/);
  });

  it('every export is well-formed Python in shape (indentation, brackets)', () => {
    for (const target of ['pyvene', 'nnsight'] as const) {
      for (const doc of [RUN, SWEEP, TRACE, GENERATE]) expect(pythonShapeProblems(exportScript(doc, target))).toEqual([]);
    }
    expect(pythonShapeProblems('if x:\ny = (1,\n')).toEqual(['line 2: expected an indented block', 'line 2: "(" is never closed']);
  });

  it('trace: ROME\'s procedure in both engines, with explicit noise or Patchbay\'s generator ported', () => {
    const pv = exportScript(TRACE, 'pyvene');
    expect(pv).toContain('MODEL = "openai-community/gpt2"');
    expect(pv).toContain('ap.add_argument("--noise-file"');
    expect(pv).toContain('class PatchbayRng:');
    expect(pv).toContain('self.state = (self.state + 0x6D2B79F5) & M32');  // mulberry32, as engine/util/random.ts
    expect(pv).toContain('class FixedNoise(pv.ConstantSourceIntervention, pv.LocalistRepresentationIntervention):');
    expect(pv).toContain('COMPONENT = {"resid": "block_output", "mlp": "mlp_output", "attn": "attention_output"}');
    expect(pv).toContain('write(trace_result(scores, low, high, answer, PYVENE_VERSION))');
    const nn = exportScript({ ...TRACE, noise_values: [[[0.5]]] }, 'nnsight');
    expect(nn).toContain('EMBED.output[1:, subject[0]:subject[1]] += noise.to(EMBED.output.device)');
    expect(nn).toContain('h[1:, t] = h[0, t]');
    expect(nn).toContain('\\"noise_values\\":[[[0.5]]]'); // the document, carried as JSON
    expect(nn).toContain('write(trace_result(scores, low, high, answer, NNSIGHT_VERSION, args.remote))');
  });

  it('trace documents: validated with JSON paths, and the options Patchbay traces the same document with', () => {
    expect(() => parseTraceDocument({ kind: 'trace', prompt: 'a', input_ids: [1], subject: 'a' })).toThrow(/^prompt: give the prompt as "prompt"/);
    expect(() => parseTraceDocument({ kind: 'trace', prompt: 'a' })).toThrow(/^subject: /);
    expect(() => parseTraceDocument({ ...TRACE, kinds: ['mlp', 'heads'] })).toThrow(/^kinds\[1\]: /);
    expect(() => parseTraceDocument({ ...TRACE, noise: 'x3' })).toThrow(/noise: expected "sN", "uN" or a number/);
    expect(() => exportScript({ ...TRACE, noise_file: 'n.json' }, 'pyvene')).toThrow(/noise_file: read n.json into "noise_values" first/);
    expect(traceDocumentOptions(parseTraceDocument({ ...TRACE, answer: ' Paris' }))).toEqual({
      prompt: TRACE.prompt, subject: 'Eiffel Tower', answerText: ' Paris', samples: 3, window: 4, noise: 's3', uniform: false,
      kinds: ['resid', 'mlp', 'attn'], seed: 1,
    });
  });

  it('generation with steering: greedy in both engines, the steering spec as data, the generate --json format', () => {
    const pv = exportScript(GENERATE, 'pyvene');
    expect(pv).toContain('STEER = {"layers": "*", "component": "mlp_output", "coefficient": 2, "source": {"kind": "token", "text": " happy"}}');
    expect(pv).toContain('intervention_type=pv.AdditionIntervention, source_representation=v)');
    expect(pv).toContain('nxt = int(torch.argmax(next_logits(rows[r], steered=r == 1)))');
    expect(pv).toContain('"original": {"ids": gen[0], "text": tokenizer.decode(gen[0])},');
    const nn = exportScript({ ...GENERATE, steer: { layers: [2, 1], component: 'block_output', coefficient: -1, positive: ['a'], negative: ['b'] } }, 'nnsight');
    expect(nn).toContain('STEER = {"layers": [2, 1], "component": "block_output", "coefficient": -1, "source": {"kind": "diff", "positive": ["a"], "negative": ["b"]}}');
    expect(nn).toContain('h[:, pos] += VECTORS[i].to(h.device)');
    expect(() => exportScript({ ...GENERATE, temperature: 0.7 }, 'pyvene')).toThrow(/decodes greedily/);
    expect(() => exportScript({ ...GENERATE, steer: 'L1.nowhere:2:token= a' }, 'pyvene')).toThrow(/unknown component "nowhere"/);
    expect(() => exportScript({ ...GENERATE, intervene_on: 'all' }, 'nnsight')).toThrow(/^intervene_on: /);
  });

  it('collected values come back in Patchbay\'s shape (index, site, units per row): pyvene without a source run, nnsight read before writes', () => {
    const doc = { ...RUN, config: { representations: [RUN.config.representations[0], { layer: 3, component: 'mlp_output', intervention_type: 'CollectIntervention', max_number_of_units: 2 }] },
      unit_locations: { 'sources->base': [[[[3]], [[1, 2]]], [[[3]], [[1, 2]]]] } };
    const s = exportScript(doc, 'pyvene');
    expect(s).toContain('COLLECTS = [{"intervention": 1, "site": "L3.mlp_output", "units": [[{"pos": 1}, {"pos": 2}]]}]');
    expect(s).toContain('"collected": collected_values(returned),');
    expect(s).toContain('return [None if i in collect else sources[0] if len(sources) == 1 else sources[i] for i in range(n)]');
    expect(exportScript(RUN, 'pyvene')).toContain('COLLECTS = []');
    const nn = exportScript(doc, 'nnsight');
    expect(nn).toContain('"type": "CollectIntervention", "src": [1, 2], "tgt": [1, 2], "source": None}');
    expect(nn).toContain('intervened, read_values = run(base, list(zip(writing, values)), collects=COLLECTS)');
    expect(() => exportScript({ ...doc, config: { mode: 'serial', representations: doc.config.representations } }, 'nnsight')).toThrow(/CollectIntervention in serial mode/);
  });

  it('trained DAS interventions: pyvene only, the rotation loaded into pyvene\'s module, a negative position resolved per input', () => {
    const bytes = new Uint8Array(new Float32Array([1, 0, 0, 1, 0, 0]).buffer);
    const trained = { format: 1, intervention_type: 'LowRankRotatedSpaceIntervention', layer: 2, component: 'block_output', position: -1, rank: 2,
      weight: { file: 'w.f32', shape: [3, 2], offset: 0 }, params: {} };
    const doc = { kind: 'trained', trained, base: 'James walked because', source: 'Sarah walked because' };
    const s = exportScript(doc, 'pyvene', { files: { 'w.f32': bytes } });
    expect(s).toContain('low_rank_dimension=2, intervention_type=pv.LowRankRotatedSpaceIntervention)');
    expect(s).toContain('interventions[0].rotate_layer.weight = torch.tensor(np.array([[1, 0], [0, 1], [0, 0]]), dtype=torch.float32)');
    expect(s).toContain('unit_locations = {"sources->base": ([[[locate(sources[0])]]], [[[locate(base)]]])}');
    expect(pythonShapeProblems(s)).toEqual([]);
    expect(() => exportScript(doc, 'nnsight', { files: { 'w.f32': bytes } })).toThrow(/export trained interventions with --to pyvene/);
    expect(() => exportScript(doc, 'pyvene')).toThrow(/side file "w.f32" was not provided/);
    expect(() => exportScript({ ...doc, base: '' }, 'pyvene')).toThrow(/^base: /);
    const pairs = [{ base: 'James walked because', source: 'Sarah walked because', source_label: ' she' }];
    const onPairs = exportScript({ kind: 'trained', trained, pairs }, 'pyvene', { files: { 'w.f32': bytes } });
    expect(onPairs).toContain('PAIRS = [{"base": "James walked because", "source": "Sarah walked because", "source_label": " she"}]');
    expect(onPairs).toContain('result["iia"] = sum(e["match"] for e in evaluated) / len(evaluated)');
    expect(onPairs.trimEnd().endsWith('write(result)')).toBe(true);
    expect(pythonShapeProblems(onPairs)).toEqual([]);
    expect(() => exportScript({ kind: 'trained', trained }, 'pyvene', { files: { 'w.f32': bytes } })).toThrow(/^base: give "base" and "source", or "pairs"/);
  });
});
