// The exporters' source plan against the engine's own (experiment/plan.ts), document by document.
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../load/load-model.js';
import { bundledIds, nodeResolver } from '../load/node-resolver.js';
import { openModel } from '../load/open-model.js';
import { validateExperiment, type ExperimentDoc } from '../experiment/experiment-schema.js';
import { planExperiment } from '../experiment/plan.js';
import { sourceOfEach } from './source-plan.js';

const EIFFEL = 'The Eiffel Tower is located in the city of';
const vanilla = (layer: number, extra: object = {}) => ({ layer, component: 'block_output', intervention_type: 'VanillaIntervention', ...extra });
const constant = (layer: number) => ({ layer, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: new Array<number>(128).fill(0.5) });

function doc(raw: object): ExperimentDoc {
  const v = validateExperiment({ model: 'gpt2-facts', base: EIFFEL, ...raw });
  if (!v.ok) throw new Error(v.errors[0]!.message);
  return v.value;
}

const DOCS: [string, object][] = [
  ['one interchange', { sources: ['The Louvre is in'], config: { representations: [vanilla(2)] }, unit_locations: { 'sources->base': 1 } }],
  ['a constant, then two readers of two sources', { sources: ['The Louvre is in', 'The Colosseum is in'],
    config: { representations: [constant(0), vanilla(2), vanilla(4)] }, unit_locations: { 'sources->base': [[[[0]], [[1]], [[2]]], [[[0]], [[1]], [[2]]]] } }],
  ['a collect and a zero between readers', { sources: ['The Louvre is in', 'The Colosseum is in'],
    config: { representations: [vanilla(1), { layer: 2, component: 'mlp_output', intervention_type: 'CollectIntervention' },
      { layer: 3, component: 'mlp_output', intervention_type: 'ZeroIntervention' }, vanilla(4)] },
    unit_locations: { 'sources->base': [[[[1]], [[1]], [[1]], [[2]]], [[[1]], [[1]], [[1]], [[2]]]] } }],
  ['group keys, out of order', { sources: ['The Louvre is in', 'The Colosseum is in'],
    config: { representations: [vanilla(1, { group_key: 7 }), vanilla(2, { group_key: 3 }), vanilla(3, { group_key: 7 })] },
    unit_locations: { 'sources->base': [[[[1]], [[1]], [[1]]], [[[1]], [[1]], [[1]]]] } }],
  ['a serial chain', { sources: ['The Louvre is in', 'The Colosseum is in'], config: { mode: 'serial', representations: [vanilla(1), vanilla(3)] },
    unit_locations: { 'source_0->source_1': [[[[1]]], [[[1]]]], 'source_1->base': [[[[2]]], [[[2]]]] } }],
];

describe('sourceOfEach (the source each intervention reads, for the exporters)', () => {
  let model: LoadedModel;
  beforeAll(async () => { model = await openModel('gpt2-facts', nodeResolver, { bundledIds: bundledIds() }); });

  it.each(DOCS)('%s: as the engine plans it', (_, raw) => {
    const d = doc(raw);
    expect(sourceOfEach(d)).toEqual(planExperiment(model, d).interventions.map((p) => p.sourceIndex));
  });

  it('a reader without a group key among keyed ones is refused, naming it', () => {
    expect(() => sourceOfEach(doc({ sources: ['The Louvre is in'], config: { representations: [vanilla(1, { group_key: 0 }), vanilla(2)] },
      unit_locations: { 'sources->base': [[[[1]], [[1]]], [[[1]], [[1]]]] } }))).toThrow(/group_key/);
  });
});
