// The experiments `npm run check:engines` exports and compares (tools/scaleout/check-engines.ts): for each, the
// document, the engines, Patchbay's own values (and how far its intervention moves them) and the same values read
// from a script's result JSON. Runs, interchanges, a rotation, a serial chain, collect, a sweep, causal traces (the
// same explicit noise, Patchbay's seeded generator ported, token replacement), generation with steering and with an experiment
// document's interventions, a trained DAS intervention.
import type { LoadedModel } from '../../engine/load/load-model.js';
import { validateExperiment } from '../../engine/experiment/experiment-schema.js';
import { runExperiment } from '../../engine/experiment/run-experiment.js';
import { patchingSweep, parseSweepDocument } from '../../engine/experiments/sweep.js';
import { causalTrace } from '../../engine/experiments/causal-trace.js';
import { generate, type GenerateResult } from '../../engine/experiments/generate.js';
import { parseSteerSpec } from '../../engine/experiments/generate/steer-spec.js';
import { steeringExperiment, steeringVectors } from '../../engine/experiments/generate/steering.js';
import { parseTraceDocument, traceDocumentOptions } from '../../engine/export/trace-document.js';
import { parseTrainedDocument, trainedRunDocument } from '../../engine/export/trained-script.js';
import type { ExportTarget } from '../../engine/export/export-script.js';
import { orthogonal } from '../../engine/test-support/orthogonal.js';
import { evaluateIia, trainDas } from '../../engine/training/das.js';
import { tokenizePairs } from '../../engine/training/das-grid.js';
import { saveTrained } from '../../engine/training/trained-io.js';
import { REPO_ROOT } from '../../engine/load/node-resolver.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Json = Record<string, unknown>;
/** Patchbay's values; `effect`: how far its intervention moves them (so a match is not two idle runs agreeing).
 *  Generation: `ids` (values are token ids, compared exactly) and `probs`, each token's probability (≤ 1e-4). */
export interface Expected { values: number[]; effect: number; ids?: boolean; probs?: number[] }
export interface Case {
  name: string;
  model: string;
  engines: ExportTarget[];
  doc: Json;
  files?: Record<string, Uint8Array>;
  patchbay(model: LoadedModel): Promise<Expected>;
  script(json: Json): number[];
  /** Generation: the per-token probabilities from the script's result, in the order of `Expected.probs`. */
  scriptProbs?(json: Json): number[];
}

const EIFFEL = 'The Eiffel Tower is located in the city of';
const PALACE = 'Buckingham Palace is located in the city of';
const COLOSSEUM = 'The Colosseum is located in the city of';


const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Mask logits −3…3 over 128 features (σ(m / T) mixes each feature or rotated coordinate). */
const MASKS = range(128).map((i) => (i % 7) - 3);
const vanilla = (layer: number, component = 'block_output') => ({ layer, component, intervention_type: 'VanillaIntervention' });
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

/** A run document: both predictions' full logits, plus collected values. */
function runCase(name: string, model: string, engines: ExportTarget[], doc: Json): Case {
  const withLogits = { ...doc, options: { full_logits: true } };
  return {
    name, model, engines, doc: withLogits,
    async patchbay(m) {
      const v = validateExperiment(withLogits);
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      const r = await runExperiment(m, v.value);
      return { values: [...r.original.logits!, ...r.intervened.logits!, ...r.collected.flatMap((c) => c.values.flat())], effect: maxDiff(r.intervened.logits!, r.original.logits!) };
    },
    script: (j) => [...(j.original as Json).logits as number[], ...(j.intervened as Json).logits as number[],
      ...(j.collected as { values: number[][] }[]).flatMap((c) => c.values.flat())],
  };
}

/** A causal trace on gpt2-facts: explicit noise (Patchbay's, carried in the document), the seeded generator, or
 *  `extra` (token replacement: one corrupted run of the replacement prompt). */
function traceCase(name: string, engines: ExportTarget[], explicit: boolean, extra: Json = {}): Case {
  const base = { kind: 'trace', model: 'gpt2-facts', prompt: EIFFEL, subject: 'Eiffel Tower', samples: 3, window: 4, ...extra };
  const c: Case = {
    name, model: 'gpt2-facts', engines, doc: base,
    async patchbay(m) {
      const r = await causalTrace(m, { ...traceDocumentOptions(parseTraceDocument(base)), returnNoise: explicit });
      if (explicit) c.doc = { ...base, noise_values: r.noise.values };
      const cells = r.kinds.flatMap((k) => r.scores[k]!.flat());
      return { values: [r.low_score, r.high_score, ...cells], effect: Math.max(...cells) - r.low_score };
    },
    script: (j) => [j.low_score as number, j.high_score as number, ...(j.kinds as string[]).flatMap((k) => ((j.scores as Json)[k] as number[][]).flat())],
  };
  return c;
}

function generateCase(name: string, model: string, engines: ExportTarget[], doc: Json): Case {
  return {
    name, model, engines, doc: { kind: 'generate', model, ...doc },
    async patchbay(m) {
      const spec = parseSteerSpec(doc.steer as string, m.info.dims.nLayers);
      const exp = steeringExperiment(m, doc.prompt as string, spec, await steeringVectors(m, spec));
      return generated(await generate(m, exp, { maxNewTokens: doc.max_new_tokens as number, interveneOn: doc.intervene_on as 'both' }));
    },
    script: (j) => [...(j.original as Json).ids as number[], ...(j.intervened as Json).ids as number[]],
    scriptProbs,
  };
}

/** Generation with an experiment document's interventions (`patchbay generate --experiment DOC --intervene-on X`). */
function experimentGenerateCase(name: string, model: string, engines: ExportTarget[], prompt: string, experiment: Json, on: 'prompt' | 'generated' | 'both'): Case {
  const doc = { kind: 'generate', model, prompt, experiment, max_new_tokens: 10, intervene_on: on };
  return {
    name, model, engines, doc,
    async patchbay(m) {
      const v = validateExperiment({ ...experiment, base: prompt });
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      return generated(await generate(m, v.value, { maxNewTokens: doc.max_new_tokens, interveneOn: on }));
    },
    script: (j) => [...(j.original as Json).ids as number[], ...(j.intervened as Json).ids as number[]],
    scriptProbs,
  };
}

/** A generation's ids (compared exactly) and per-token probabilities (≤ 1e-4), original then intervened. */
function generated(r: GenerateResult): Expected {
  return {
    values: [...r.original.ids, ...r.intervened.ids], effect: r.intervened.ids.filter((id, i) => id !== r.original.ids[i]).length, ids: true,
    probs: [...r.original.tokens, ...r.intervened.tokens].map((t) => t.prob),
  };
}

const scriptProbs = (j: Json): number[] => ['original', 'intervened'].flatMap((k) => ((j[k] as Json).tokens as { prob: number }[] | undefined ?? []).map((t) => t.prob));

/** A saved LowRank intervention (rank 2, seeded orthonormal columns) at pythia-facts' L2 block_output, last token. */
function trainedCase(): Case {
  const q = orthogonal(128, 11).map((row) => row.slice(0, 2));
  const bytes = new Uint8Array(new Float32Array(q.flat()).buffer);
  const trained = { format: 1, intervention_type: 'LowRankRotatedSpaceIntervention', model: 'pythia-facts', layer: 2, component: 'block_output',
    position: -1, rank: 2, weight: { file: 'cell.f32', shape: [128, 2], offset: 0 }, params: {} };
  const doc = { kind: 'trained', trained, base: 'James walked because', source: 'Sarah walked because', options: { full_logits: true } };
  const files = { 'cell.f32': bytes };
  return {
    name: 'trained DAS (LowRank, rank 2, L2, last token)', model: 'pythia-facts', engines: ['pyvene', 'nnsight'], doc, files,
    async patchbay(m) {
      const last = (t: string) => m.tokenizer!.encode(t).length - 1;
      const r = await runExperiment(m, trainedRunDocument(parseTrainedDocument(doc), files, last(doc.base), last(doc.source)));
      return { values: [...r.original.logits!, ...r.intervened.logits!], effect: maxDiff(r.intervened.logits!, r.original.logits!) };
    },
    script: (j) => [...(j.original as Json).logits as number[], ...(j.intervened as Json).logits as number[]],
  };
}

/** A LowRank intervention trained here (`trainDas`, 30 steps, L2 block_output, last token) on the pronoun pairs of
 *  docs/das except every 47th, saved as `patchbay das --save-dir` saves it, and evaluated on those held-out pairs:
 *  each pair's intervened logits and the IIA. */
function trainedPairsCase(): Case {
  const all = JSON.parse(readFileSync(join(REPO_ROOT, 'docs/das/pythia-facts-pronoun-pairs.json'), 'utf8')) as Json[];
  const pairs = all.filter((_, i) => i % 47 === 0) as { base: string; source: string; source_label: string }[];
  const c: Case = {
    name: `trained DAS (trained here: LowRank rank 1, L2, last token) on ${pairs.length} held-out pairs (intervened logits, IIA)`,
    model: 'pythia-facts', engines: ['pyvene', 'nnsight'], doc: {},
    async patchbay(m) {
      const [cell] = await trainDas(m, [{ layer: 2, position: -1 }], tokenizePairs(m, all.filter((_, i) => i % 47 !== 0)), { rank: 1, steps: 30, seed: 0 });
      const { json, bytes } = saveTrained(cell!, 'cell.f32', { model: 'pythia-facts' });
      c.files = { 'cell.f32': bytes };
      c.doc = { kind: 'trained', trained: json, pairs, options: { full_logits: true } };
      const parsed = parseTrainedDocument(c.doc);
      const last = (t: string) => m.tokenizer!.encode(t).length - 1;
      const values: number[] = [];
      let effect = 0;
      for (const p of pairs) {
        const r = await runExperiment(m, trainedRunDocument({ ...parsed, base: p.base, source: p.source }, c.files, last(p.base), last(p.source)));
        values.push(...r.intervened.logits!);
        effect = Math.max(effect, maxDiff(r.intervened.logits!, r.original.logits!));
      }
      const [iia] = await evaluateIia(m, [cell!], tokenizePairs(m, pairs));
      process.stderr.write(`trained DAS: IIA ${iia} on ${pairs.length} held-out pairs (Patchbay)\n`);
      return { values: [...values, iia!], effect };
    },
    script: (j) => [...(j.pairs as { logits: number[] }[]).flatMap((p) => p.logits), j.iia as number],
  };
  return c;
}

function sweepCase(): Case {
  const doc = { kind: 'sweep', model: 'pythia-facts', base: EIFFEL, source: PALACE, component: 'block_output', metric: 'prob' };
  return {
    name: 'patching sweep (block_output, prob)', model: 'pythia-facts', engines: ['pyvene', 'nnsight'], doc,
    async patchbay(m) {
      const r = await patchingSweep(m, parseSweepDocument(doc));
      const cells = r.values.flat();
      return { values: [r.low, r.high, ...cells], effect: Math.max(...cells) - Math.min(...cells) };
    },
    script: (j) => [j.low_score as number, j.high_score as number, ...(j.values as number[][]).flat()],
  };
}

export const CASES: Case[] = [
  runCase('interchange (L2 block_output, pos 4)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { model: 'gpt2-facts', base: EIFFEL, sources: [PALACE], config: { representations: [vanilla(2)] }, unit_locations: { 'sources->base': 4 } }),
  runCase('interchange + zero (pythia, mlp_output / attention_output)', 'pythia-facts', ['pyvene', 'nnsight'],
    { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': [[[[3]], [[8]]], [[[3]], [[8]]]] },
      config: { representations: [vanilla(1, 'mlp_output'), { layer: 3, component: 'attention_output', intervention_type: 'ZeroIntervention' }] } }),
  runCase('rotation (RotatedSpace, 32 of 128 dims, L3)', 'pythia-facts', ['pyvene', 'nnsight'],
    { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': 5 },
      config: { representations: [{ layer: 3, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', params: { rotation: orthogonal(128, 7), interchange_dim: 32 } }] } }),
  runCase('rotation (LowRankRotatedSpace, rank 16, subspace columns 0–11, L2, pos 4)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { model: 'gpt2-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': 4 }, subspaces: [[range(12)]],
      config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'LowRankRotatedSpaceIntervention', low_rank_dimension: 16,
        params: { weight: orthogonal(128, 5).map((row) => row.slice(0, 16)) } }] } }),
  runCase('rotation (BoundlessRotatedSpace, boundary 0.3, temperature 1.5, L1)', 'pythia-facts', ['pyvene', 'nnsight'],
    { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': 6 },
      config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'BoundlessRotatedSpaceIntervention',
        params: { rotation: orthogonal(128, 3), intervention_boundaries: 0.3, temperature: 1.5 } }] } }),
  runCase('rotation (SigmoidMaskRotatedSpace, masks −3…3, temperature 1.5, L2)', 'pythia-facts', ['pyvene', 'nnsight'],
    { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': 6 },
      config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'SigmoidMaskRotatedSpaceIntervention',
        params: { rotation: orthogonal(128, 4), masks: MASKS, temperature: 1.5 } }] } }),
  runCase('rotation (SigmoidMask, masks −3…3, temperature 2, L2 mlp_output, pos 6)', 'pythia-facts', ['pyvene', 'nnsight'],
    { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': 6 },
      config: { representations: [{ layer: 2, component: 'mlp_output', intervention_type: 'SigmoidMaskIntervention', params: { masks: MASKS, temperature: 2 } }] } }),
  runCase('rotation (SigmoidMask with Patchbay\'s defaults: masks 100, temperature 50; L2 mlp_output, pos 6)', 'pythia-facts', ['pyvene', 'nnsight'],
    { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': 6 },
      config: { representations: [{ layer: 2, component: 'mlp_output', intervention_type: 'SigmoidMaskIntervention' }] } }),
  runCase('rotation (RotatedSpace over 2 tokens jointly, 64 of 256 dims, L2, pos 3 and 8)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { model: 'gpt2-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': [[[[3, 8]]], [[[3, 8]]]] },
      config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', max_number_of_units: 2,
        params: { rotation: orthogonal(256, 9), interchange_dim: 64 } }] } }),
  runCase('serial chain (source_0 → source_1 → base, pyvene nesting)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { model: 'gpt2-facts', base: EIFFEL, sources: [COLOSSEUM, PALACE], config: { mode: 'serial', representations: [vanilla(1), vanilla(3)] },
      unit_locations: { 'source_0->source_1': [[[[2]]], [[[2]]]], 'source_1->base': [[[[8]]], [[[8]]]] } }),
  runCase('interchange + collect (L3 mlp_output at 2 tokens; logits and collected values)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { model: 'gpt2-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': [[[[4]], [[3, 8]]], [[[4]], [[3, 8]]]] },
      config: { representations: [vanilla(1), { layer: 3, component: 'mlp_output', intervention_type: 'CollectIntervention', max_number_of_units: 2 }] } }),
  runCase('one source shared by group key (two interventions, key 0)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { model: 'gpt2-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': [[[[4]], [[8]]], [[[4]], [[8]]]] },
      config: { representations: [{ ...vanilla(1), group_key: 0 }, { ...vanilla(4), group_key: 0 }] } }),
  runCase('constant addition (L0) + two interchanges from two sources (L2 pos 4, L4 pos 8: the n-th reader reads source n)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { model: 'gpt2-facts', base: EIFFEL, sources: [PALACE, COLOSSEUM], unit_locations: { 'sources->base': [[[[0]], [[4]], [[8]]], [[[0]], [[4]], [[8]]]] },
      config: { representations: [
        { layer: 0, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: range(128).map((i) => 3 * Math.fround(Math.cos(i))) },
        vanilla(2), vanilla(4)] } }),
  sweepCase(),
  traceCase('causal trace (same explicit noise: 3 samples, window 4; resid/mlp/attn cells, low, high)', ['pyvene', 'nnsight'], true),
  traceCase('causal trace (seed 1: Patchbay\'s generator ported to Python)', ['nnsight'], false),
  traceCase('causal trace by token replacement ("The Great Pyramid …", 13 tokens like the prompt; window 4)', ['pyvene', 'nnsight'], false,
    { replace_with: 'The Great Pyramid is located in the city of' }),
  generateCase('generation, steering (L1.block_output −2 × mean diff, both, greedy)', 'gpt2-facts', ['pyvene', 'nnsight'],
    { prompt: 'At the end of the day, Emma felt', steer: 'L1.block_output:-2:diff=The day was wonderful/The day was terrible', max_new_tokens: 12, intervene_on: 'both' }),
  generateCase('generation, steering (L*.mlp_output 8 × token " she", generated, greedy)', 'pythia-facts', ['pyvene', 'nnsight'],
    { prompt: 'James walked because', steer: 'L*.mlp_output:8:token= she', max_new_tokens: 8, intervene_on: 'generated' }),
  experimentGenerateCase('generation, experiment: AdditionIntervention, constant source, L1 block_output at positions 2 and 5, both', 'gpt2-facts', ['pyvene', 'nnsight'],
    'At the end of the day, Emma felt', { config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'AdditionIntervention',
      source_representation: range(128).map((i) => 6 * Math.fround(Math.sin(i + 1))) }] }, unit_locations: { base: [[[2, 5]]] } }, 'both'),
  experimentGenerateCase('generation, experiment: interchange (L2 block_output, source pos 4 → base pos 4), both', 'pythia-facts', ['pyvene', 'nnsight'],
    EIFFEL, { sources: [PALACE], config: { representations: [vanilla(2)] }, unit_locations: { 'sources->base': 4 } }, 'both'),
  experimentGenerateCase('generation, experiment: constant addition (L0) + interchange (L3, pos 1 → 3) + zero (L2 mlp_output), generated', 'gpt2-facts', ['pyvene', 'nnsight'],
    EIFFEL, { sources: [COLOSSEUM], unit_locations: { 'sources->base': [[[[0]], [[1]], [[5]]], [[[0]], [[3]], [[5]]]] }, config: { representations: [
      { layer: 0, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: range(128).map((i) => 3 * Math.fround(Math.cos(i))) },
      vanilla(3), { layer: 2, component: 'mlp_output', intervention_type: 'ZeroIntervention' }] } }, 'generated'),
  experimentGenerateCase('generation, experiment: RotatedSpace (32 of 128 dims, L2) at every generated position, generated', 'pythia-facts', ['nnsight'],
    EIFFEL, { sources: [PALACE], unit_locations: { 'sources->base': 6 }, config: { representations: [{ layer: 2, component: 'block_output',
      intervention_type: 'RotatedSpaceIntervention', params: { rotation: orthogonal(128, 7), interchange_dim: 32 } }] } }, 'generated'),
  experimentGenerateCase('generation, experiment: RotatedSpace (96 of 128 dims, L3, the last prompt token) on the prompt only, prompt', 'pythia-facts', ['pyvene', 'nnsight'],
    EIFFEL, { sources: [PALACE], unit_locations: { 'sources->base': 12 }, config: { representations: [{ layer: 3, component: 'block_output',
      intervention_type: 'RotatedSpaceIntervention', params: { rotation: orthogonal(128, 7), interchange_dim: 96 } }] } }, 'prompt'),
  experimentGenerateCase('generation, experiment: serial chain (source_0 → source_1 at L1 pos 2, source_1 → base at L3 pos 8), both', 'gpt2-facts', ['pyvene', 'nnsight'],
    EIFFEL, { sources: [COLOSSEUM, PALACE], config: { mode: 'serial', representations: [vanilla(1), vanilla(3)] },
      unit_locations: { 'source_0->source_1': [[[[2]]], [[[2]]]], 'source_1->base': [[[[8]]], [[[8]]]] } }, 'both'),
  trainedCase(),
  trainedPairsCase(),
];
