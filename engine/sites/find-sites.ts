// Finds the tensor behind every (layer, component) in an exported graph, structurally: module scopes locate the
// modules, graph structure picks the values (a projection's input and output, the block's residual add, the
// attention MatMuls). Stage: ModelProto → site map. Unscoped or fused graphs fail with what was recognised.
import type { GraphIndex } from '../onnx/graph-index.js';
import type { Family, ModelDims } from '../model/model-types.js';
import { PatchbayError } from '../errors.js';
import { COMPONENTS, COMPONENT_INFO, type Component, type Layout } from './components.js';
import { FAMILY_SCOPES, type FamilyScopes } from './family-scopes.js';

interface QkvCandidate { merged?: string; heads: string; headsLayout: Layout }

/** Where a site's value lives in the graph. */
export interface SiteTensor {
  value: string;
  /** Layout of `value` itself (a slot converts it to the component's layout when they differ). */
  layout: Layout;
}

/** site map: layer → component → tensor. Layer 0 alone has `token_embedding`. */
export type SiteMap = Partial<Record<Component, SiteTensor>>[];

export function countLayers(index: GraphIndex, family: Family): number {
  const pattern = FAMILY_SCOPES[family].layerPattern;
  let max = -1;
  for (const n of index.graph.node) {
    const m = pattern.exec(n.name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

export function findSites(index: GraphIndex, family: Family, dims: ModelDims): SiteMap {
  const scopes = FAMILY_SCOPES[family];
  if (dims.nLayers === 0) throw unrecognised(index, family, 'no node names carry layer scopes');
  const map: SiteMap = [];
  for (let layer = 0; layer < dims.nLayers; layer++) {
    const found = new LayerFinder(index, scopes, layer).find();
    map.push(found);
  }
  const emb = index.scopeOutputs(scopes.tokenEmbedding).filter((v) => index.isActivation(v));
  if (emb.length === 1) map[0]!.token_embedding = { value: emb[0]!, layout: 'bsd' };
  return map;
}

class LayerFinder {
  private readonly scope: string;
  private readonly missing: string[] = [];
  constructor(private readonly index: GraphIndex, private readonly s: FamilyScopes, private readonly layer: number) {
    this.scope = s.layer(layer);
  }

  find(): Partial<Record<Component, SiteTensor>> {
    const { s, scope } = this;
    const out: Partial<Record<Component, SiteTensor>> = {};
    const put = (c: Component, value: string | undefined, layout: Layout = COMPONENT_INFO[c].layout) => {
      if (value) out[c] = { value, layout };
      else this.missing.push(c);
    };
    put('block_input', this.one(this.index.scopeInputs(`${scope}/${s.ln1}`), `${s.ln1} input`));
    put('attention_input', this.one(this.index.scopeOutputs(`${scope}/${s.ln1}`), `${s.ln1} output`));
    put('mlp_input', this.one(this.index.scopeOutputs(`${scope}/${s.ln2}`), `${s.ln2} output`));
    put('attention_output', this.one(this.index.scopeOutputs(`${scope}/${s.attentionOut}`), `${s.attentionOut} output`));
    const merged = this.one(this.index.scopeInputs(`${scope}/${s.attentionOut}`), `${s.attentionOut} input`);
    put('attention_value_output', merged);
    put('mlp_activation', this.one(this.index.scopeOutputs(`${scope}/${s.mlpAct}`), `${s.mlpAct} output`));
    put('mlp_output', this.one(this.index.scopeOutputs(`${scope}/${s.mlpOut}`), `${s.mlpOut} output`));
    put('block_output', this.one(this.blockOutputs(), 'block output'));

    const mixing = merged ? this.walkBack(merged, ['Reshape', 'Transpose'], 'MatMul') : undefined;
    put('head_attention_value_output', mixing?.output[0]);
    put('attention_weight', mixing?.input[0]);
    const qkv = mixing ? this.findQkv(mixing.input[0]!, mixing.input[1]!) : undefined;
    for (const role of ['query', 'key', 'value'] as const) {
      const t = qkv?.[role];
      put(`head_${role}_output`, t?.heads, t?.headsLayout);
      put(`${role}_output`, t?.merged ?? t?.heads, t?.merged ? 'bsd' : t?.headsLayout);
    }
    if (this.missing.length > 0) {
      throw new PatchbayError('SITES_NOT_FOUND',
        `layer ${this.layer} (scope ${scope}): could not find ${this.missing.join(', ')}; found ${Object.keys(out).join(', ') || 'nothing'}`);
    }
    return out;
  }

  /** The residual Add directly in the layer scope whose result leaves the layer. */
  private blockOutputs(): string[] {
    const direct = new RegExp(`^${escapeRegExp(this.scope)}/[^/]+$`);
    return this.index.scopeOutputs(this.scope).filter((v) => {
      const p = this.index.producer.get(v);
      return p && direct.test(p.name) && !this.index.graphOutputs.has(v);
    });
  }

  private one(values: string[], what: string): string | undefined {
    const acts = values.filter((v) => this.index.isActivation(v));
    if (acts.length === 1) return acts[0];
    this.missing.push(`${what} (${acts.length} candidates)`);
    return undefined;
  }

  /** From `value`, follow producers of the given op types until a node of type `target`. */
  private walkBack(value: string, through: string[], target: string) {
    let v = value;
    for (let i = 0; i < 8; i++) {
      const p = this.index.producer.get(v);
      if (!p) return undefined;
      if (p.op_type === target) return p;
      if (!through.includes(p.op_type)) return undefined;
      v = p.input[0]!;
    }
    return undefined;
  }

  /** Per-head q, k, v (before rotary), classified by which attention input each one feeds. */
  private findQkv(probs: string, values: string) {
    const scores = this.walkBack(probs, ['Where', 'Softmax', 'Add', 'Div', 'Mul', 'IsNaN'], 'MatMul');
    if (!scores) return undefined;
    const candidates = this.s.qkvSplit === 'split' ? this.splitCandidates() : this.sliceCandidates();
    if (candidates.length !== 3) return undefined;
    const pick = (target: string) => candidates.find((c) => this.isAncestor(c.heads, target));
    const query = pick(scores.input[0]!);
    const key = pick(scores.input[1]!);
    const value = pick(values);
    if (!query || !key || !value || new Set([query, key, value]).size !== 3) return undefined;
    return { query, key, value };
  }

  /** GPT-2: Split(c_attn output) → q, k, v [B,S,D], each Reshaped to [B,S,H,Dh]. The site is that Reshape's
   *  output: some exports transpose it twice (once for the cache, once for the scores), so later tensors miss uses. */
  private splitCandidates(): QkvCandidate[] {
    const split = this.index.nodesInScope(`${this.scope}/${this.s.attention}`).find((n) => n.op_type === 'Split' && n.output.length === 3);
    if (!split) return [];
    return split.output.flatMap((merged) => {
      const reshape = this.index.consumers.get(merged)?.find((n) => n.op_type === 'Reshape');
      return reshape ? [{ merged, heads: reshape.output[0]!, headsLayout: 'bshd' as const }] : [];
    });
  }

  /** GPT-NeoX: qkv [B,S,D·3] → Reshape [B,S,H,3·Dh] → Transpose → three Slices of the last axis, per head. */
  private sliceCandidates(): QkvCandidate[] {
    const nodes = this.index.nodesInScope(`${this.scope}/${this.s.attention}`);
    for (const t of nodes.filter((n) => n.op_type === 'Transpose')) {
      const slices = (this.index.consumers.get(t.output[0]!) ?? []).filter((n) => n.op_type === 'Slice');
      if (slices.length === 3) return slices.map((n) => ({ heads: n.output[0]!, headsLayout: 'bhsd' as const }));
    }
    return [];
  }

  private isAncestor(ancestor: string, of: string): boolean {
    const seen = new Set<string>();
    const stack = [of];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (v === ancestor) return true;
      if (seen.has(v) || seen.size > 400) continue;
      seen.add(v);
      const p = this.index.producer.get(v);
      // Data flow only: a Shape node makes everything look related (the scale is computed from q's shape).
      if (p && p.op_type !== 'Shape' && p.name.startsWith(`${this.scope}/`)) stack.push(...p.input.filter(Boolean));
    }
    return false;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unrecognised(index: GraphIndex, family: Family, why: string): PatchbayError {
  const sample = index.graph.node.slice(0, 5).map((n) => n.name || `(unnamed ${n.op_type})`).join(', ');
  return new PatchbayError('SITES_NOT_FOUND',
    `cannot find ${family} hook sites: ${why}. Expected node names like "${FAMILY_SCOPES[family].layer(0)}/…" as the ` +
    `torch exporter writes them; the first nodes are named: ${sample}`);
}

export { COMPONENTS };
