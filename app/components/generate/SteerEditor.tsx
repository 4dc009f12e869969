// The steering vector of the Generate view: where it comes from (difference of means, a token's embedding, or an
// explicit vector), the layers and component it is added at, and the coefficient slider.
import { TrainedVectorLoader } from './TrainedVectorLoader';
import type { GenerateSettings } from '../../link/schema';
import { Field } from '../common/ui';

type Steer = GenerateSettings['steer'];

const COMPONENTS = ['block_output', 'block_input', 'mlp_output', 'attention_output'];

export function SteerEditor({ steer, layers, onChange }: { steer: Steer; layers: number; onChange: (p: Partial<Steer>) => void }) {
  const lines = (v: string) => v.split('\n');
  return (
    <div className="form-grid">
      <fieldset className="segmented">
        <legend>Steering vector from</legend>
        {(['diff', 'token', 'vector'] as const).map((k) => (
          <label key={k}><input type="radio" name="steer-kind" checked={steer.kind === k} onChange={() => onChange({ kind: k })} />
            {k === 'diff' ? 'difference of means' : k === 'token' ? 'a token\'s embedding' : 'explicit values'}</label>
        ))}
      </fieldset>
      {steer.kind === 'diff' && (
        <div className="grid-2">
          <Field label="Positive prompts" hint="One per line; each one's last token.">
            {(id) => <textarea id={id} rows={3} value={steer.positive.join('\n')} onChange={(e) => onChange({ positive: lines(e.target.value) })} data-testid="steer-positive" />}
          </Field>
          <Field label="Negative prompts" hint="Subtracted.">
            {(id) => <textarea id={id} rows={3} value={steer.negative.join('\n')} onChange={(e) => onChange({ negative: lines(e.target.value) })} data-testid="steer-negative" />}
          </Field>
        </div>
      )}
      {steer.kind === 'token' && (
        <Field label="Token" hint='One token, with its leading space (" happy").'>
          {(id) => <input id={id} value={steer.token} onChange={(e) => onChange({ token: e.target.value })} />}
        </Field>
      )}
      {steer.kind === 'vector' && (
        <>
          <Field label="Values" hint={`${steer.vector.length} values, comma-separated, one per feature.`}>
            {(id) => <textarea id={id} rows={2} className="code" value={steer.vector.join(', ')}
              onChange={(e) => onChange({ vector: e.target.value.split(',').map((v) => Number(v.trim())).filter((v) => Number.isFinite(v)) })} />}
          </Field>
          <TrainedVectorLoader onLoad={onChange} />
        </>
      )}
      <div className="grid-2">
        <Field label="Component">
          {(id) => (
            <select id={id} value={steer.component} onChange={(e) => onChange({ component: e.target.value })}>
              {COMPONENTS.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          )}
        </Field>
        <fieldset className="segmented layer-picks">
          <legend>Layers</legend>
          {Array.from({ length: layers }, (_, l) => (
            <label key={l}><input type="checkbox" checked={steer.layers.includes(l)} aria-label={`layer ${l}`}
              onChange={(e) => {
                const next = e.target.checked ? [...steer.layers, l].sort((a, b) => a - b) : steer.layers.filter((x) => x !== l);
                if (next.length > 0) onChange({ layers: next });
              }} />{l}</label>
          ))}
        </fieldset>
      </div>
      <Field label={`Coefficient: ${steer.coefficient.toFixed(1)}`} hint="Added: coefficient × vector. 0 reproduces the original; negative steers the other way.">
        {(id) => <input id={id} type="range" min={-10} max={10} step={0.1} value={steer.coefficient} data-testid="steer-coefficient"
          onChange={(e) => onChange({ coefficient: Number(e.target.value) })} />}
      </Field>
    </div>
  );
}
