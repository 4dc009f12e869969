// The "Probe vs DAS" case study as the worker runs it: the view's settings (the experiment slice's `probe`) →
// counterfactual pairs from the template and two name lists → the engine's dasGrid (DAS IIA beside probe accuracy
// per cell). Pure pair building is exported for the tests. Stage: experiments (adapter only; the math is the engine's).
import type { LoadedModel } from '../../engine/load/load-model';
import { PatchbayError } from '../../engine/errors';
import { isComponent } from '../../engine/sites/components';
import { dasGrid, tokenizePairs, type DasGridResult, type PairText } from '../../engine/training/das-grid';
import { seededRandom } from '../../engine/training/linalg';
import { shuffled } from '../../engine/training/das';
import type { DasProgress } from '../../engine/training/das';
import type { ProbeSettings } from '../link/schema';

export interface DasInput {
  settings: ProbeSettings;
  /** The name lists to use when the settings carry none (the model's manifest `name_lists`). */
  bundledNames?: [string[], string[]];
}

export type DasOpProgress = { phase: 'pairs' | 'train' | 'evaluate' | 'probe'; train?: DasProgress };

export interface DasOutput extends DasGridResult {
  /** All pairs of equal token length the lists make, and how many of them were used. */
  pairs_available: number;
  /** Row labels: for each cell position, the token there in the shortest base prompt (e.g. " walked"). */
  position_tokens: Record<number, string>;
  /** One pair as an example: base, source and their labels. */
  example: PairText;
  /** The example's token count (base and source alike): resolves a cell's negative position in it. */
  example_tokens: number;
}

const PLACEHOLDER = 'NAME';

/** Every ordered pair (a name of one list as base, of the other as source) whose prompts have the same token length;
 *  then a seeded sample of at most `max_pairs`. `length` counts a prompt's tokens. */
export function counterfactualPairs(s: ProbeSettings, names: [string[], string[]], length: (text: string) => number): { pairs: PairText[]; available: number } {
  if (!s.template.includes(PLACEHOLDER)) throw new PatchbayError('TRAINING_INVALID', `the template must contain ${PLACEHOLDER} where a name goes (e.g. "${PLACEHOLDER} walked because")`, 'probe.template');
  const lists = names.map((l) => [...new Set(l.map((n) => n.trim()).filter(Boolean))]) as [string[], string[]];
  if (lists[0].length === 0 || lists[1].length === 0) throw new PatchbayError('TRAINING_INVALID', 'both name lists need at least one name', 'probe.names');
  const prompt = (n: string) => s.template.split(PLACEHOLDER).join(n);
  const len = lists.map((l) => new Map(l.map((n) => [n, length(prompt(n))])));
  const all: PairText[] = [];
  for (const side of [0, 1] as const) {
    for (const b of lists[side]) {
      for (const src of lists[1 - side]!) {
        if (len[side]!.get(b) !== len[1 - side]!.get(src)) continue;
        all.push({ base: prompt(b), source: prompt(src), base_label: s.labels[side], source_label: s.labels[1 - side]! });
      }
    }
  }
  if (all.length < 2) throw new PatchbayError('TRAINING_INVALID', `the name lists make ${all.length} pair(s) of equal token length; add names (at least 2 pairs are needed)`, 'probe.names');
  const order = shuffled(all.length, seededRandom(s.seed * 65537 + 11));
  return { pairs: order.slice(0, s.max_pairs).map((i) => all[i]!), available: all.length };
}

export function namesFor(input: DasInput): [string[], string[]] {
  const [m, f] = input.settings.names;
  if (m.length > 0 || f.length > 0) return [m, f];
  if (input.bundledNames) return input.bundledNames;
  throw new PatchbayError('TRAINING_INVALID', 'this model has no bundled name lists: type names into both lists', 'probe.names');
}

export async function runDas(model: LoadedModel, input: DasInput, io: { onProgress: (p: DasOpProgress) => void; signal: AbortSignal }): Promise<DasOutput> {
  const s = input.settings;
  const tok = model.tokenizer;
  if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'this model has no tokenizer.json: the pairs are text');
  if (!isComponent(s.component)) throw new PatchbayError('SITE_UNKNOWN', `unknown component "${s.component}"`, 'probe.component');
  io.onProgress({ phase: 'pairs' });
  const { pairs, available } = counterfactualPairs(s, namesFor(input), (t) => tok.encode(t).length);
  const tokenized = tokenizePairs(model, pairs);
  const result = await dasGrid(model, tokenized, {
    component: s.component, type: s.intervention_type, layers: s.layers.length ? s.layers : 'all', positions: s.positions,
    rank: s.rank, steps: s.steps, batchSize: s.batch, lr: s.lr, seed: s.seed, testFraction: s.test_fraction,
    onProgress: (p) => io.onProgress(p), signal: io.signal,
  });
  const shortest = tokenized.reduce((a, p, i) => (p.base.length < tokenized[a]!.base.length ? i : a), 0);
  const ids = tokenized[shortest]!.base;
  const texts = tok.tokenTexts(ids);
  const position_tokens = Object.fromEntries([...new Set(result.cells.map((c) => c.position))]
    .map((p) => [p, texts[p < 0 ? ids.length + p : p] ?? '']));
  return { ...result, pairs_available: available, position_tokens, example: pairs[shortest]!, example_tokens: ids.length };
}
