// A time-step experiment on a GRU as the worker runs it: the Interventions screen's document → runGruExperiment with
// every layer's states, plus a per-step table (top symbol and its probability, original vs intervened, and what the
// intervened run gives the original's symbol). Stage: experiments (adapter only).
import { parseGruExperiment } from '../../engine/recurrent/gru-document';
import { runGruExperiment, type GruExperimentResult, type GruLayerStates } from '../../engine/recurrent/gru-experiment';
import type { RecurrentModel } from '../../engine/recurrent/load-recurrent';
import { softmax } from '../../engine/experiment/top-k';

/** One step of the per-step table. */
export interface GruStepRow {
  t: number;
  original: { id: number; prob: number };
  intervened: { id: number; prob: number };
  /** The intervened run's probability of the original's top symbol. */
  originalAfter: number;
}

export interface GruRunOutput extends GruExperimentResult {
  kind: 'gru';
  states: GruLayerStates[];
  table: GruStepRow[];
}

export interface GruProgress { stage: 'run' }

export async function runGru(model: RecurrentModel, doc: unknown, io: { onProgress: (p: GruProgress) => void; signal: AbortSignal }): Promise<GruRunOutput> {
  const parsed = parseGruExperiment(doc);
  io.onProgress({ stage: 'run' });
  const r = await runGruExperiment(model, { ...parsed, options: { ...parsed.options, full_logits: true } }, { signal: io.signal, states: true });
  const table = r.original.steps.map((o, t): GruStepRow => {
    const before = softmax(o.logits!);
    const after = softmax(r.intervened.steps[t]!.logits!);
    const a = o.top_k[0]!.id;
    const b = r.intervened.steps[t]!.top_k[0]!.id;
    return { t, original: { id: a, prob: before[a]! }, intervened: { id: b, prob: after[b]! }, originalAfter: after[a]! };
  });
  const keep = parsed.options.full_logits;
  const strip = (p: GruExperimentResult['original']) => (keep ? p : { ...p, steps: p.steps.map(({ logits: _drop, ...s }) => s) });
  return { kind: 'gru', original: strip(r.original), intervened: strip(r.intervened), states: r.states!, table };
}
