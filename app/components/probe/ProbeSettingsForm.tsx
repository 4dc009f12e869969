// The Probe vs DAS settings: the pairs (template, two name lists and their labels, how many pairs), where DAS trains
// (component, layers, positions), what it trains (type, rank) and how (steps, batch, learning rate, seed).
import { useState } from 'react';
import { useStore } from '../../state/store';
import { selectProbe } from '../../state/experiment-slice';
import { selectCatalog } from '../../state/model-slice';
import { Field, NumberInput, Panel } from '../common/ui';
import type { ProbeSettings } from '../../link/schema';
import { parseLayers, parseNames, parsePositions, positionsText, type Parsed } from './probe-grids';

const COMPONENTS = ['block_output', 'block_input', 'attention_output', 'mlp_output', 'mlp_input', 'attention_input'];
const TYPES: [ProbeSettings['intervention_type'], string][] = [
  ['LowRankRotatedSpaceIntervention', 'Low-rank rotated space (DAS)'],
  ['BoundlessRotatedSpaceIntervention', 'Boundless DAS'],
  ['RotatedSpaceIntervention', 'Rotated space (full rotation)'],
  ['SigmoidMaskIntervention', 'Sigmoid mask'],
];

/** A text field whose text may be invalid while typed: valid text updates the settings, invalid text shows why. */
function ParsedField<T>({ label, hint, value, parse, show, onValid, testId }: {
  label: string; hint: string; value: T; parse: (t: string) => Parsed<T>; show: (v: T) => string; onValid: (v: T) => void; testId?: string;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const parsed = draft === null ? null : parse(draft);
  const error = parsed && !parsed.ok ? parsed.error : null;
  return (
    <Field label={label} hint={error ? <span className="error-text">{error}</span> : hint}>
      {(id) => <input id={id} value={draft ?? show(value)} data-testid={testId} aria-invalid={!!error}
        onChange={(e) => { setDraft(e.target.value); const p = parse(e.target.value); if (p.ok) onValid(p.value); }}
        onBlur={() => { if (!error) setDraft(null); }} />}
    </Field>
  );
}

function NamesField({ which }: { which: 0 | 1 }) {
  const s = useStore(selectProbe);
  const patch = useStore((st) => st.patchProbe);
  const catalog = useStore(selectCatalog);
  const ref = useStore((st) => st.model.ref);
  const bundled = ref?.kind === 'bundled' ? catalog?.find((m) => m.id === ref.id)?.name_lists : undefined;
  const [draft, setDraft] = useState(() => s.names[which].join(', '));
  const fallback = bundled ? (which === 0 ? bundled.male : bundled.female) : [];
  return (
    <Field label={`Names labelled “${s.labels[which]}”`} hint={s.names[0].length || s.names[1].length ? `${s.names[which].length} names` : bundled ? `empty: the model's ${fallback.length} bundled names` : 'comma- or line-separated'}>
      {(id) => <textarea id={id} rows={2} value={draft} placeholder={fallback.slice(0, 6).join(', ') + (fallback.length > 6 ? ', …' : '')} data-testid={`das-names-${which}`}
        onChange={(e) => {
          setDraft(e.target.value);
          const names: [string[], string[]] = [...s.names];
          names[which] = parseNames(e.target.value);
          patch({ names });
        }} />}
    </Field>
  );
}

export function ProbeSettingsForm() {
  const s = useStore(selectProbe);
  const patch = useStore((st) => st.patchProbe);
  const num = (k: 'max_pairs' | 'rank' | 'steps' | 'batch' | 'seed' | 'lr', min: number, max: number) => (v: number | null) => {
    if (v !== null && v >= min && v <= max && (k === 'lr' || Number.isInteger(v))) patch({ [k]: v });
  };
  return (
    <Panel title="Counterfactual pairs">
      <div className="form-grid">
        <Field label="Template" hint="NAME is replaced by a name; base and source differ only in the name.">
          {(id) => <input id={id} value={s.template} onChange={(e) => patch({ template: e.target.value.slice(0, 500) })} data-testid="das-template" />}
        </Field>
        <div className="grid-2">
          <Field label="Label of list 1">{(id) => <input id={id} value={s.labels[0]} onChange={(e) => patch({ labels: [e.target.value.slice(0, 64), s.labels[1]] })} />}</Field>
          <Field label="Label of list 2">{(id) => <input id={id} value={s.labels[1]} onChange={(e) => patch({ labels: [s.labels[0], e.target.value.slice(0, 64)] })} />}</Field>
        </div>
        <NamesField which={0} />
        <NamesField which={1} />
        <div className="grid-2">
          <Field label="Pairs used" hint="a seeded sample">{(id) => <NumberInput id={id} value={s.max_pairs} min={2} max={5000} onChange={num('max_pairs', 2, 5000)} />}</Field>
          <Field label="Component">
            {(id) => (
              <select id={id} value={s.component} onChange={(e) => patch({ component: e.target.value })}>
                {COMPONENTS.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            )}
          </Field>
        </div>
        <div className="grid-2">
          <ParsedField label="Layers" hint="empty = all" value={s.layers} parse={parseLayers} show={(v) => v.join(', ')} onValid={(layers) => patch({ layers })} testId="das-layers" />
          <ParsedField label="Positions" hint="all, last, or −4, −3…" value={s.positions} parse={parsePositions} show={positionsText} onValid={(positions) => patch({ positions })} testId="das-positions" />
        </div>
        <Field label="Intervention">
          {(id) => (
            <select id={id} value={s.intervention_type} onChange={(e) => patch({ intervention_type: e.target.value as ProbeSettings['intervention_type'] })}>
              {TYPES.map(([t, label]) => <option key={t} value={t}>{label}</option>)}
            </select>
          )}
        </Field>
        <div className="grid-3">
          <Field label="Rank">{(id) => <NumberInput id={id} value={s.rank} min={1} max={8192} onChange={num('rank', 1, 8192)} />}</Field>
          <Field label="Steps">{(id) => <NumberInput id={id} value={s.steps} min={1} max={10000} onChange={num('steps', 1, 10000)} />}</Field>
          <Field label="Batch">{(id) => <NumberInput id={id} value={s.batch} min={1} max={256} onChange={num('batch', 1, 256)} />}</Field>
        </div>
        <div className="grid-2">
          <Field label="Learning rate">{(id) => <NumberInput id={id} value={s.lr} min={0.0001} max={10} step={0.001} onChange={num('lr', 1e-6, 10)} />}</Field>
          <Field label="Seed">{(id) => <NumberInput id={id} value={s.seed} min={0} onChange={num('seed', 0, 2 ** 31 - 1)} />}</Field>
        </div>
      </div>
    </Panel>
  );
}
