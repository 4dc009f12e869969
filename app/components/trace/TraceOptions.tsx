// The causal trace's options: samples, noise scale (automatic = 3 × the subject embeddings' std), MLP/attention
// window (with the one that fits the model's depth, window.ts), which kinds of state to restore, the seed, and the
// corruption (Gaussian noise or token replacement).
import { useStore } from '../../state/store';
import { selectClassroom, selectTrace } from '../../state/experiment-slice';
import type { TraceSettings } from '../../link/schema';
import { Field, NumberInput, Panel } from '../common/ui';
import { suggestedWindow, windowHint } from './window';

const KINDS: { kind: TraceSettings['kinds'][number]; label: string }[] = [
  { kind: 'resid', label: 'Residual stream' },
  { kind: 'mlp', label: 'MLP output' },
  { kind: 'attn', label: 'Attention output' },
];

export function TraceOptions() {
  const trace = useStore(selectTrace);
  const classroom = useStore(selectClassroom);
  const patch = useStore((s) => s.patchTrace);
  const layers = useStore((s) => (s.model.status === 'ready' ? s.model.summary?.dims.nLayers ?? null : null));
  if (classroom.hide.includes('trace.options')) return null;
  const fits = layers === null ? null : suggestedWindow(layers);
  const toggleKind = (k: TraceSettings['kinds'][number]) => {
    const has = trace.kinds.includes(k);
    patch({ kinds: has ? trace.kinds.filter((x) => x !== k) : KINDS.map((x) => x.kind).filter((x) => x === k || trace.kinds.includes(x)) });
  };
  return (
    <Panel title="Options">
      <div className="form-grid">
        <fieldset className="segmented">
          <legend>Restore</legend>
          {KINDS.map(({ kind, label }) => (
            <label key={kind}><input type="checkbox" checked={trace.kinds.includes(kind)} onChange={() => toggleKind(kind)} />{label}</label>
          ))}
        </fieldset>
        <fieldset className="segmented">
          <legend>Corruption</legend>
          <label><input type="radio" name="corruption" checked={trace.corruption === 'noise'} onChange={() => patch({ corruption: 'noise' })} />Gaussian noise</label>
          <label><input type="radio" name="corruption" checked={trace.corruption === 'replace'} onChange={() => patch({ corruption: 'replace' })} />Token replacement</label>
        </fieldset>
        {trace.corruption === 'replace' && (
          <Field label="Replace the subject with" hint="Same number of tokens as the subject; the corrupted run reads this prompt instead of adding noise.">
            {(id) => <input id={id} value={trace.replacement} onChange={(e) => patch({ replacement: e.target.value })} data-testid="trace-replacement" />}
          </Field>
        )}
        <div className="grid-2">
          <Field label="Samples" hint="Corrupted runs averaged per cell.">
            {(id) => <NumberInput id={id} value={trace.samples} disabled={trace.corruption === 'replace'} min={1} max={200} onChange={(v) => v !== null && patch({ samples: Math.max(1, Math.min(200, Math.round(v))) })} />}
          </Field>
          <Field label="Window" hint={<>
            {windowHint(layers, trace.window)}
            {fits !== null && fits !== trace.window && (
              <> <button type="button" className="btn btn-small btn-ghost" onClick={() => patch({ window: fits })} data-testid="trace-window-fit">Use {fits}</button></>
            )}
          </>}>
            {(id) => <NumberInput id={id} value={trace.window} min={1} max={200} onChange={(v) => v !== null && patch({ window: Math.max(1, Math.min(200, Math.round(v))) })} />}
          </Field>
          <Field label="Noise scale" hint={trace.corruption === 'noise' ? 'Empty: 3 × std of the subject embeddings.' : 'Used by Gaussian noise only.'}>
            {(id) => <NumberInput id={id} value={trace.noise} min={0} step={0.01} placeholder="auto" disabled={trace.corruption !== 'noise'}
              onChange={(v) => patch({ noise: v === null ? null : Math.max(0, Math.min(1000, v)) })} />}
          </Field>
          <Field label="Seed" hint="Same seed, same noise, same result.">
            {(id) => <NumberInput id={id} value={trace.seed} min={0} onChange={(v) => v !== null && patch({ seed: Math.max(0, Math.min(2 ** 31 - 1, Math.round(v))) })} />}
          </Field>
        </div>
      </div>
    </Panel>
  );
}
