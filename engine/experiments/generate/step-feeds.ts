// Where an experiment's interventions land while generating: on the prompt (the document's unit_locations) and/or
// at every decoding position, mapped from absolute token positions onto the window of positions one forward pass
// covers (the whole sequence without a cache, one new token with it). Stage: plan → runs (generation).
import { PatchbayError } from '../../errors.js';
import type { LoadedModel } from '../../load/load-model.js';
import { COMPONENT_INFO } from '../../sites/components.js';
import { rowGeometry } from '../../sites/row-geometry.js';
import type { FloatTensor } from '../../runtime/tensor.js';
import type { Rng } from '../../util/random.js';
import { buildFeeds } from '../../experiment/feeds.js';
import { rowOf, type Plan, type PlannedIntervention } from '../../experiment/plan.js';
import type { Unit } from '../../experiment/unit-locations.js';

export type InterveneOn = 'prompt' | 'generated' | 'both';

/** One feature vector an intervention writes: at a token position (and head), with its source vector. */
interface Placement { pos: number; head?: number; source: Float32Array | null }

export interface GenerationIntervention {
  iv: PlannedIntervention;
  /** The document's locations on the prompt. */
  prompt: Placement[];
  /** What it writes at each decoding position: per head (or once), its last prompt location's source. */
  perStep: Omit<Placement, 'pos'>[];
}

/** Resolves each writing intervention's prompt locations and source vectors (sources: collected values by site). */
export function placeInterventions(model: LoadedModel, plan: Plan, sources: Record<string, FloatTensor>[], on: InterveneOn): GenerationIntervention[] {
  if (plan.batch !== 1) throw new PatchbayError('CONFIG_UNSUPPORTED', `generation runs one prompt; the base has ${plan.batch} rows`, 'base');
  const P = plan.baseIds[0]!.length;
  // Serial mode's earlier hops write into source runs (collectSources); only the interventions on the base remain.
  return plan.interventions.filter((iv) => iv.type.slotKind !== 'collect' && iv.target === 'base').map((iv) => {
    const path = `config.representations[${iv.index}]`;
    if (COMPONENT_INFO[iv.site.component].layout === 'bhst') {
      throw new PatchbayError('CONFIG_UNSUPPORTED', `${iv.site.component} has a key axis that grows while generating; choose another component`, `${path}.component`);
    }
    if (iv.joint && on !== 'prompt') {
      throw new PatchbayError('CONFIG_UNSUPPORTED', 'units rotated together (max_number_of_units > 1) cannot follow the generated tokens: use intervene_on "prompt"', path);
    }
    const g = rowGeometry(iv.site.component, model.info.dims, P);
    const perHead = COMPONENT_INFO[iv.site.component].perHead;
    const prompt = rowOf(iv.targetOffsets, 0).map((off, k): Placement => {
      const pos = Math.floor(off / g.features) % P;
      const head = perHead ? Math.floor(off / (P * g.features)) : undefined;
      return { pos, head, source: sourceVector(model, plan, iv, sources, k) };
    });
    const last = new Map<number | undefined, Omit<Placement, 'pos'>>();
    for (const p of prompt) last.set(p.head, { head: p.head, source: p.source });
    return { iv, prompt, perStep: [...last.values()] };
  });
}

function sourceVector(model: LoadedModel, plan: Plan, iv: PlannedIntervention, sources: Record<string, FloatTensor>[], k: number): Float32Array | null {
  if (iv.constant) return iv.constant;
  if (iv.sourceIndex === null || !iv.sourceOffsets) return null;
  const seq = plan.sourceIds[iv.sourceIndex]![0]!.length;
  const off = rowOf(iv.sourceOffsets, 0)[k]!;
  const features = rowGeometry(iv.site.component, model.info.dims, seq).features;
  return sources[iv.sourceIndex]![iv.siteId]!.data.subarray(off, off + features);
}

export interface Window {
  /** Absolute position of the pass's first token. */
  start: number;
  /** Tokens the pass processes. */
  length: number;
  /** Prompt length: decoding positions are promptLength − 1 onwards (each one predicts a generated token). */
  promptLength: number;
}

/** The placements inside a window: the prompt's (for prompt/both), then every decoding position's (generated/both)
 *  not already covered by a prompt location of the same head. */
export function windowPlacements(gi: GenerationIntervention, w: Window, on: InterveneOn): Placement[] {
  const inside = (p: number) => p >= w.start && p < w.start + w.length;
  const out = on === 'generated' ? [] : gi.prompt.filter((p) => inside(p.pos));
  if (on === 'prompt') return out;
  const taken = new Set(out.map((p) => `${p.pos}:${p.head}`));
  for (let pos = Math.max(w.start, w.promptLength - 1); pos < w.start + w.length; pos++) {
    for (const s of gi.perStep) if (!taken.has(`${pos}:${s.head}`)) out.push({ ...s, pos });
  }
  return out;
}

/** Slot feeds for one pass of `rows` rows in which only row `row` is intervened. */
export function stepFeeds(model: LoadedModel, gis: GenerationIntervention[], terms: Map<PlannedIntervention, number>, w: Window, on: InterveneOn,
  rows: number, row: number, rng: Rng): Record<string, FloatTensor> {
  const placed = gis.map((gi) => ({ gi, at: windowPlacements(gi, w, on) })).filter((x) => x.at.length > 0);
  const sourceOf = new Map<PlannedIntervention, Placement[]>();
  const moved = new Map<PlannedIntervention, number>(); // projection term numbers, as compiled for the originals
  const ivs = placed.map(({ gi, at }) => {
    const g = rowGeometry(gi.iv.site.component, model.info.dims, w.length);
    const offsets = at.map((p) => ((p.head ?? 0) * (COMPONENT_INFO[gi.iv.site.component].perHead ? w.length : 0) + p.pos - w.start) * g.features);
    const units: Unit[] = at.map((p) => ({ pos: p.pos - w.start, ...(p.head !== undefined ? { head: p.head } : {}) }));
    const iv: PlannedIntervention = { ...gi.iv, targetOffsets: [offsets], targetUnits: [units], sourceOffsets: null };
    sourceOf.set(iv, at);
    if (terms.has(gi.iv)) moved.set(iv, terms.get(gi.iv)!);
    return iv;
  });
  return buildFeeds({
    model, interventions: ivs, seq: w.length, rows, firstRow: row, batch: 1, rng,
    sourceVector: (iv, _r, k) => sourceOf.get(iv)![k]!.source,
  }, moved);
}
