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
    // The result carries its document (the workbench's import then restores the whole experiment).
    expect(s).toMatch(/if EXPERIMENT\.get\("kind"\) in \(None, "sweep", "generate"\):\n\s+result\.setdefault\("experiment", EXPERIMENT\)/);
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

  it('pyvene parameters as pyvene takes them: float temperatures, SigmoidMask\'s `mask` with Patchbay\'s defaults, LowRank without interchange_dim', () => {
    const withRep = (rep: Record<string, unknown>) => ({ ...RUN, config: { representations: [{ layer: 1, component: 'block_output', ...rep }] } });
    const mask = exportScript(withRep({ intervention_type: 'SigmoidMaskIntervention' }), 'pyvene');
    expect(mask).toContain('interventions[0].mask.data = torch.full_like(interventions[0].mask, 100.0)');
    expect(mask).toContain('interventions[0].set_temperature(torch.tensor(50, dtype=torch.float32))');
    expect(mask).not.toContain('.masks.data');
    const rotated = exportScript(withRep({ intervention_type: 'SigmoidMaskRotatedSpaceIntervention', params: { rotation: [[1, 0], [0, 1]], masks: [1, 2], temperature: 2 } }), 'pyvene');
    expect(rotated).toContain('interventions[0].masks.data = torch.tensor(np.array([1, 2]), dtype=torch.float32)');
    expect(rotated).toContain('set_temperature(torch.tensor(2, dtype=torch.float32))');
    const lowRank = withRep({ intervention_type: 'LowRankRotatedSpaceIntervention', low_rank_dimension: 2, params: { weight: [[1, 0], [0, 1]], interchange_dim: 1 } });
    expect(() => exportScript(lowRank, 'pyvene')).toThrow(/ignores interchange_dim \(Patchbay keeps the first 1 columns\)/);
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
    const pca = { ...RUN, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'PCARotatedSpaceIntervention' }] } };
    expect(() => exportScript(pca, 'nnsight')).toThrow(/does not carry intervention 0: PCARotatedSpaceIntervention \(use --to pyvene\)/);
    const skip = { ...RUN, config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'NoiseIntervention' }] } };
    expect(() => exportScript(skip, 'nnsight')).toThrow(/does not carry intervention 0: NoiseIntervention/);
    const heads = { ...RUN, config: { representations: [{ layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'VanillaIntervention' }] } };
    expect(() => exportScript(heads, 'nnsight')).toThrow(/unit "h"/);
    expect(() => exportScript({ base: 3 }, 'pyvene')).toThrow(/EXPERIMENT_INVALID|base/);
    expect(() => exportScript({ kind: 'sweep', base: 'a' }, 'nnsight')).toThrow(/"source" must be a string/);
  });

  it('nnsight rotations: the basis, its chosen columns and weights as the engine computes them; what stays refused', () => {
    const rep = (type: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      ({ ...RUN, config: { representations: [{ layer: 2, component: 'block_output', intervention_type: type, params, ...extra }] } });
    const steps = (s: string) => JSON.parse(/STEPS = (\[.*\]) {2}#/.exec(s)![1]!.replace(/None/g, 'null').replace(/True/g, 'true').replace(/False/g, 'false')) as Record<string, unknown>[];
    const r3 = [[0, 1, 0], [1, 0, 0], [0, 0, 1]];
    const rotated = exportScript(rep('RotatedSpaceIntervention', { rotation: r3, interchange_dim: 2 }), 'nnsight');
    expect(rotated).toContain('BASES = [torch.tensor([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=torch.float32)]');
    expect(rotated).toContain('h[:, tgt] = rotated(step, h[:, tgt], s)');
    expect(steps(rotated)[0]).toMatchObject({ type: 'RotatedSpaceIntervention', basis: 0, cols: [0, 1], w: null, joint: false, tgt: [3] });
    // LowRank: subspaces index W's columns; a side file is read beside the script.
    const lowRank = exportScript({ ...rep('LowRankRotatedSpaceIntervention', { weight: { file: 'w.f32', shape: [768, 4] } }, { low_rank_dimension: 4 }), subspaces: [[[1, 3]]] }, 'nnsight');
    expect(lowRank).toContain('BASES = [torch.tensor(np.fromfile("w.f32", dtype="<f4", offset=0, count=3072).reshape([768, 4]))]');
    expect(steps(lowRank)[0]).toMatchObject({ cols: [1, 3], w: null });
    // Boundless: every coordinate, weighted σ(j/T)·σ((b·F − j)/T); here F = 3, b = 0.5, T = 0.5.
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const boundless = steps(exportScript(rep('BoundlessRotatedSpaceIntervention', { rotation: r3, intervention_boundaries: 0.5, temperature: 0.5 }), 'nnsight'))[0]!;
    expect(boundless.cols).toBeNull();
    (boundless.w as number[]).forEach((w, j) => expect(w).toBeCloseTo(sig(j / 0.5) * sig((1.5 - j) / 0.5), 12));
    const masked = steps(exportScript(rep('SigmoidMaskRotatedSpaceIntervention', { rotation: r3, masks: [2, 0, -2], temperature: 2 }), 'nnsight'))[0]!;
    expect(masked.w).toEqual([sig(1), 0.5, sig(-1)]);
    const mask = exportScript(rep('SigmoidMaskIntervention', { masks: [4, -4, 0], temperature: 4 }), 'nnsight');
    expect(mask).toContain('h[:, tgt] = mixed(step, h[:, tgt], s)');
    expect(mask).toContain('BASES = []');
    expect(steps(mask)[0]).toMatchObject({ basis: null, cols: null, w: [sig(1), sig(-1), 0.5] });
    // Several units rotate jointly (max_number_of_units > 1), as the engine does.
    expect(steps(exportScript(rep('RotatedSpaceIntervention', { rotation: r3 }, { max_number_of_units: 2 }), 'nnsight'))[0]!.joint).toBe(true);
    // Bad parameters and what is not carried: coded errors that name the problem.
    expect(() => exportScript(rep('RotatedSpaceIntervention', {}), 'nnsight')).toThrow(/rotation/);
    expect(() => exportScript(rep('RotatedSpaceIntervention', { rotation: r3, interchange_dim: 5 }), 'nnsight')).toThrow(/interchange_dim 5 must be between 1 and 3/);
    expect(() => exportScript(rep('SigmoidMaskRotatedSpaceIntervention', { rotation: r3, masks: [1, 2] }), 'nnsight')).toThrow(/masks has 2 values; expected 3/);
    expect(() => exportScript({ ...rep('LowRankRotatedSpaceIntervention', { weight: r3 }), subspaces: [[[0], [1]]] }, 'nnsight')).toThrow(/per-row subspaces/);
    for (const s of [rotated, lowRank, mask]) expect(pythonShapeProblems(s)).toEqual([]);
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

  it('trace by token replacement: one corrupted run of the replacement prompt, no noise, in both engines', () => {
    const doc = { ...TRACE, replace_with: 'The Great Pyramid is in' };
    for (const target of ['pyvene', 'nnsight'] as const) {
      const s = exportScript(doc, target);
      expect(pythonShapeProblems(s)).toEqual([]);
      expect(s).toContain('\\"replace_with\\":\\"The Great Pyramid is in\\"'); // the document, carried as JSON
      expect(s).toContain('rep = tokenizer(T["replace_with"])["input_ids"]');
      expect(s).toContain('if len(rep) != S:');
      expect(s).toContain('FIRST = next((i for i in range(S) if ids[i] != CORRUPT[i]), S)');
      expect(s).toContain('"kind": "replace", "spec": None, "scale": None, "embedding_std": None, "std_subjects": None, "seed": None,');
      expect(s).toContain('"generator": None, "shape": [1, 0, D_MODEL], "replace_ids": CORRUPT}');
      expect(s).toContain('cell_score(kind, t, layer) if t >= FIRST else low');
      expect(s).not.toContain('class PatchbayRng:');
      expect(s).not.toContain('--noise-file');
    }
    const pv = exportScript(doc, 'pyvene');
    expect(pv).toContain('corrupt_in = {"input_ids": torch.tensor([CORRUPT] * R, device=device)}');
    expect(pv).toContain('NOISE_REPS, NOISE_LOCS = ([noise_rep], [(None, subject_units)]) if NOISED else ([], [])');
    expect(pv).toContain('_, out = intervenable(corrupt_in, sources, unit_locations=');
    const nn = exportScript({ ...TRACE, replace_ids: [1, 2, 3] }, 'nnsight');
    expect(nn).toContain('rep = [int(i) for i in T["replace_ids"]]');
    expect(nn).toContain('batch = torch.tensor([ids] + [CORRUPT] * R)');
    expect(nn).toContain('        if NOISED:\n            EMBED.output[1:, subject[0]:subject[1]] += noise');
    // a noise trace keeps its noise: the generator, the --noise-file argument, the subject's first token as FIRST
    const noised = exportScript(TRACE, 'nnsight');
    expect(noised).toContain('CORRUPT, FIRST, NOISED = ids, subject[0], True');
    expect(noised).toContain('ap.add_argument("--noise-file"');
    expect(noised).not.toContain('def replacement_ids():');
  });

  it('trace documents with token replacement: exclusive with explicit noise, mapped to replaceWith / replaceIds', () => {
    expect(() => parseTraceDocument({ ...TRACE, replace_with: 'a', replace_ids: [1] })).toThrow(/^replace_ids: give "replace_with" or "replace_ids", not both/);
    expect(() => parseTraceDocument({ ...TRACE, replace_with: 'a', noise_values: [[[0]]] })).toThrow(/^replace_with: token replacement \("replace_with"\) and explicit noise \("noise_values"\) exclude each other/);
    expect(() => parseTraceDocument({ ...TRACE, replace_ids: [1], noise_file: 'n.json' })).toThrow(/^replace_ids: .*\("noise_file"\) exclude each other/);
    expect(() => parseTraceDocument({ ...TRACE, replace_ids: [1, -2] })).toThrow(/^replace_ids\[1\]: /);
    expect(() => parseTraceDocument({ ...TRACE, replace_with: '' })).toThrow(/^replace_with: /);
    expect(traceDocumentOptions(parseTraceDocument({ ...TRACE, replace_with: 'The Great Pyramid is in' }))).toMatchObject({ replaceWith: 'The Great Pyramid is in' });
    const byIds = traceDocumentOptions(parseTraceDocument({ ...TRACE, replace_ids: [4, 5] }));
    expect(byIds.replaceIds).toEqual([4, 5]);
    expect(byIds.replaceWith).toBeUndefined();
  });

  it('generation with steering: greedy in both engines, the steering spec as data, the generate --json format', () => {
    const pv = exportScript(GENERATE, 'pyvene');
    expect(pv).toContain('STEER = {"layers": "*", "component": "mlp_output", "coefficient": 2, "source": {"kind": "token", "text": " happy"}}');
    expect(pv).toContain('intervention_type=pv.AdditionIntervention, source_representation=v)');
    expect(pv).toContain('logits = next_logits(rows[r], intervened=r == 1).detach().double().cpu()');
    expect(pv).toContain('nxt = int(torch.argmax(logits))');
    // Each token's probability as Patchbay reports it: softmax of the step's raw logits (temperature 1).
    expect(pv).toContain('probs[r].append(float(torch.softmax(logits, -1)[nxt]))');
    expect(pv).toContain('"tokens": [{"id": i, "text": tokenizer.decode([i]), "prob": p} for i, p in zip(gen[r], probs[r])]}');
    expect(pv).toContain('"original": continuation(0), "intervened": continuation(1),');
    expect(pythonShapeProblems(pv)).toEqual([]);
    const nn = exportScript({ ...GENERATE, steer: { layers: [2, 1], component: 'block_output', coefficient: -1, positive: ['a'], negative: ['b'] } }, 'nnsight');
    expect(nn).toContain('STEER = {"layers": [2, 1], "component": "block_output", "coefficient": -1, "source": {"kind": "diff", "positive": ["a"], "negative": ["b"]}}');
    expect(nn).toContain('h[:, pos] += VECTORS[i].to(h.device)');
    expect(nn).toContain('"original": continuation(0), "intervened": continuation(1),');
    expect(pythonShapeProblems(nn)).toEqual([]);
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
    expect(s).toContain('SOURCE_OF, SERIAL = [0, None], False'); // the collect reads no source: pyvene gets none for its group
    expect(exportScript(RUN, 'pyvene')).toContain('COLLECTS = []');
    const nn = exportScript(doc, 'nnsight');
    expect(nn).toContain('"type": "CollectIntervention", "src": [1, 2], "tgt": [1, 2], "source": None}');
    expect(nn).toContain('intervened, read_values = run(base, list(zip(writing, values)), collects=COLLECTS)');
    expect(() => exportScript({ ...doc, config: { mode: 'serial', representations: doc.config.representations } }, 'nnsight')).toThrow(/CollectIntervention in serial mode/);
  });

  it('trained DAS interventions: pyvene (the rotation loaded into its module) and nnsight (the rotation applied in the trace), a negative position resolved per input', () => {
    const bytes = new Uint8Array(new Float32Array([1, 0, 0, 1, 0, 0]).buffer);
    const trained = { format: 1, intervention_type: 'LowRankRotatedSpaceIntervention', layer: 2, component: 'block_output', position: -1, rank: 2,
      weight: { file: 'w.f32', shape: [3, 2], offset: 0 }, params: {} };
    const doc = { kind: 'trained', trained, base: 'James walked because', source: 'Sarah walked because' };
    const s = exportScript(doc, 'pyvene', { files: { 'w.f32': bytes } });
    expect(s).toContain('low_rank_dimension=2, intervention_type=pv.LowRankRotatedSpaceIntervention)');
    expect(s).toContain('interventions[0].rotate_layer.weight = torch.tensor(np.array([[1, 0], [0, 1], [0, 0]]), dtype=torch.float32)');
    expect(s).toContain('unit_locations = {"sources->base": ([[[locate(sources[0])]]], [[[locate(base)]]])}');
    expect(pythonShapeProblems(s)).toEqual([]);
    const nn = exportScript(doc, 'nnsight', { files: { 'w.f32': bytes } });
    expect(nn).toContain('# Generated by `patchbay export --to nnsight`: runs a trained DAS intervention');
    expect(nn).toContain('BASES = [torch.tensor([[1, 0], [0, 1], [0, 0]], dtype=torch.float32)]');
    expect(nn).toContain('"type": "LowRankRotatedSpaceIntervention", "src": [0], "tgt": [0], "source": 0, "basis": 0, "joint": False, "cols": [0, 1], "w": None}]');
    expect(nn).toContain('POSITION = -1  #');
    expect(nn).toContain('STEPS[0]["src"], STEPS[0]["tgt"] = [locate(sources[0])], [locate(base)]');
    expect(pythonShapeProblems(nn)).toEqual([]);
    expect(() => exportScript(doc, 'nnsight')).toThrow(/side file "w.f32" was not provided/);
    expect(() => exportScript(doc, 'pyvene')).toThrow(/side file "w.f32" was not provided/);
    expect(() => exportScript({ ...doc, base: '' }, 'pyvene')).toThrow(/^base: /);
    const pairs = [{ base: 'James walked because', source: 'Sarah walked because', source_label: ' she' }];
    const onPairs = exportScript({ kind: 'trained', trained, pairs }, 'pyvene', { files: { 'w.f32': bytes } });
    expect(onPairs).toContain('PAIRS = [{"base": "James walked because", "source": "Sarah walked because", "source_label": " she"}]');
    expect(onPairs).toContain('result["iia"] = sum(e["match"] for e in evaluated) / len(evaluated)');
    expect(onPairs.trimEnd().endsWith('write(result)')).toBe(true);
    expect(pythonShapeProblems(onPairs)).toEqual([]);
    const nnPairs = exportScript({ kind: 'trained', trained, pairs }, 'nnsight', { files: { 'w.f32': bytes } });
    expect(nnPairs).toContain('step = dict(STEPS[0], src=[locate(s)], tgt=[locate(b)])');
    expect(nnPairs).toContain('result["iia"] = sum(e["match"] for e in evaluated) / len(evaluated)');
    expect(nnPairs.trimEnd().endsWith('write(result)')).toBe(true);
    expect(pythonShapeProblems(nnPairs)).toEqual([]);
    expect(() => exportScript({ kind: 'trained', trained }, 'pyvene', { files: { 'w.f32': bytes } })).toThrow(/^base: give "base" and "source", or "pairs"/);
  });
});
