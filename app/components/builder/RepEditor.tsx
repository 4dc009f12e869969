// Editing one intervention: its site, type and parameters, unit, heads, which source it reads, and where it
// applies: click tokens in the base strip (and in the source strip when the positions differ).
import { COMPONENTS, COMPONENT_INFO, type Component } from '../../../engine/sites/components';
import { INTERVENTION_TYPES } from '../../../engine/interventions/registry';
import { TokenStrip } from '../common/TokenStrip';
import { Field, NumberInput } from '../common/ui';
import { choosePosition, togglePosition, type RepModel, type UnitKind } from './builder-doc';

export const needsSource = (type: string) => INTERVENTION_TYPES.find((t) => t.name === type)?.needsSource ?? true;

const TYPE_HELP: Record<string, string> = {
  VanillaIntervention: 'interchange: x ← source',
  AdditionIntervention: 'x ← x + source',
  SubtractionIntervention: 'x ← x − source',
  ZeroIntervention: 'ablation: x ← 0',
  CollectIntervention: 'read x, change nothing',
  NoiseIntervention: 'x ← x + noise_level · ε',
};

function pairs(rep: RepModel): string {
  const all = rep.source.map((s, i) => `${s}→${rep.base[i] ?? '?'}`);
  return all.length > 6 ? `${all.slice(0, 5).join(', ')}, … (${all.length} pairs)` : all.join(', ');
}

export function RepEditor({ rep, index, layers, heads, baseTokens, sourceTokens, sourceCount, onChange, onRemove }: {
  rep: RepModel; index: number; layers: number; heads: number; baseTokens: string[]; sourceTokens: string[][]; sourceCount: number;
  onChange: (r: RepModel) => void; onRemove: () => void;
}) {
  const info = COMPONENT_INFO[rep.component as Component] as (typeof COMPONENT_INFO)[Component] | undefined;
  const perHead = info?.perHead ?? false;
  const sourced = needsSource(rep.type) && !rep.extra.source_representation;
  const aligned = rep.source.length === rep.base.length && rep.source.every((p, i) => p === rep.base[i]);
  const src = sourceTokens[rep.sourceIndex] ?? [];
  const noiseLevel = (rep.extra.params as { noise_level?: number } | undefined)?.noise_level ?? null;
  const usesPos = rep.unit !== 'h';
  const marks = (list: number[]) => Object.fromEntries(list.map((p) => [p, 'selected' as const]));
  return (
    <div className="rep-editor" data-testid="rep-editor">
      <div className="row between">
        <h3>Intervention {index}</h3>
        <button type="button" className="btn btn-small btn-danger" onClick={onRemove}>Remove</button>
      </div>
      <div className="grid-3">
        <Field label="Layer">
          {(id) => <NumberInput id={id} value={rep.layer} min={0} max={layers - 1} onChange={(v) => v !== null && onChange({ ...rep, layer: Math.max(0, Math.min(layers - 1, Math.round(v))) })} />}
        </Field>
        <Field label="Component">
          {(id) => (
            <select id={id} value={rep.component} onChange={(e) => {
              const ph = COMPONENT_INFO[e.target.value as Component].perHead;
              onChange({ ...rep, component: e.target.value, unit: ph ? rep.unit : 'pos', heads: ph && rep.heads.length === 0 ? [0] : rep.heads });
            }}>
              {COMPONENTS.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          )}
        </Field>
        <Field label="Unit">
          {(id) => (
            <select id={id} value={rep.unit} onChange={(e) => onChange({ ...rep, unit: e.target.value as UnitKind })} disabled={!perHead}>
              <option value="pos">pos (positions)</option>
              {perHead && <option value="h">h (heads)</option>}
              {perHead && <option value="h.pos">h.pos (heads × positions)</option>}
            </select>
          )}
        </Field>
      </div>
      <div className="grid-2">
        <Field label="Intervention type" hint={TYPE_HELP[rep.type]}>
          {(id) => (
            <select id={id} value={rep.type} onChange={(e) => onChange({ ...rep, type: e.target.value })} data-testid="rep-type">
              {INTERVENTION_TYPES.map((t) => <option key={t.name} value={t.name}>{t.name.replace(/Intervention$/, '')}</option>)}
              {!INTERVENTION_TYPES.some((t) => t.name === rep.type) && <option value={rep.type}>{rep.type}</option>}
            </select>
          )}
        </Field>
        {sourced && sourceCount > 1 && (
          <Field label="Reads source">
            {(id) => (
              <select id={id} value={rep.sourceIndex} onChange={(e) => onChange({ ...rep, sourceIndex: Number(e.target.value) })}>
                {Array.from({ length: sourceCount }, (_, i) => <option key={i} value={i}>source {i}</option>)}
              </select>
            )}
          </Field>
        )}
        {rep.type === 'NoiseIntervention' && (
          <Field label="Noise level">
            {(id) => <NumberInput id={id} value={noiseLevel} step={0.01} min={0} placeholder="0.1346 (pyvene default)"
              onChange={(v) => onChange({ ...rep, extra: { ...rep.extra, params: { ...(rep.extra.params as object), ...(v === null ? {} : { noise_level: v }) } } })} />}
          </Field>
        )}
      </div>
      {rep.unit !== 'pos' && (
        <fieldset className="segmented heads" data-testid="heads">
          <legend>Heads</legend>
          {Array.from({ length: heads }, (_, h) => (
            <label key={h}><input type="checkbox" checked={rep.heads.includes(h)} onChange={() => onChange({ ...rep, heads: togglePosition(rep.heads, h).length ? togglePosition(rep.heads, h) : rep.heads })} />{h}</label>
          ))}
        </fieldset>
      )}
      {usesPos && baseTokens.length > 0 && (
        <div className="strip-block">
          <div className="strip-title">Base positions <span className="muted small">click a token; Shift-click to add more</span></div>
          <TokenStrip label={`Base tokens: positions of intervention ${index}`} tokens={baseTokens} marks={marks(rep.base)} testId="base-strip"
            onToggle={(p, extend) => { const base = choosePosition(rep.base, p, extend); onChange({ ...rep, base, source: aligned ? base : rep.source }); }} />
        </div>
      )}
      {usesPos && sourced && src.length > 0 && (
        <div className="strip-block">
          <div className="strip-title">Source {rep.sourceIndex} positions <span className="muted small">{aligned ? 'same as base' : `paired in order: ${pairs(rep)}`}</span></div>
          <TokenStrip label={`Source tokens: positions of intervention ${index}`} tokens={src} marks={marks(rep.source)} testId="source-strip"
            onToggle={(p, extend) => onChange({ ...rep, source: choosePosition(rep.source, p, extend) })} />
          {!aligned && rep.source.length !== rep.base.length && (
            <p className="small field-hint">{rep.source.length} source and {rep.base.length} base positions: they must pair one to one, so the base positions are used for both.</p>
          )}
        </div>
      )}
    </div>
  );
}
