// The model as a grid of hook sites: one column per layer, one row per component in the order activations flow
// (attention internals and per-head sites on demand). Clicking a site selects its intervention or adds one there.
// Sites the model's graph does not hold are greyed out, with the reason on hover.
import { Fragment } from 'react';
import type { RepModel } from './builder-doc';

interface Row { component: string; label: string; group: string; internals?: boolean }

export const SITE_ROWS: Row[] = [
  { component: 'token_embedding', label: 'token embedding', group: 'Embedding', internals: true },
  { component: 'block_input', label: 'block input', group: 'Residual' },
  { component: 'attention_input', label: 'attention input', group: 'Attention' },
  { component: 'query_output', label: 'queries', group: 'Attention', internals: true },
  { component: 'key_output', label: 'keys', group: 'Attention', internals: true },
  { component: 'value_output', label: 'values', group: 'Attention', internals: true },
  { component: 'head_query_output', label: 'queries per head', group: 'Attention', internals: true },
  { component: 'head_key_output', label: 'keys per head', group: 'Attention', internals: true },
  { component: 'head_value_output', label: 'values per head', group: 'Attention', internals: true },
  { component: 'attention_weight', label: 'attention weights', group: 'Attention', internals: true },
  { component: 'head_attention_value_output', label: 'head outputs', group: 'Attention', internals: true },
  { component: 'attention_value_output', label: 'heads concatenated', group: 'Attention', internals: true },
  { component: 'attention_output', label: 'attention output', group: 'Attention' },
  { component: 'mlp_input', label: 'MLP input', group: 'MLP' },
  { component: 'mlp_activation', label: 'MLP activation', group: 'MLP' },
  { component: 'mlp_output', label: 'MLP output', group: 'MLP' },
  { component: 'block_output', label: 'block output', group: 'Residual' },
];

export function SiteDiagram({ layers, reps, selected, showInternals, unavailable, onSite }: {
  layers: number; reps: RepModel[]; selected: number | null; showInternals: boolean;
  /** Site id (`L3.head_query_output`) → why the graph does not hold it. */
  unavailable: Record<string, string>;
  onSite: (layer: number, component: string) => void;
}) {
  const rows = SITE_ROWS.filter((r) => showInternals || !r.internals);
  const at = (layer: number, component: string) => reps.map((r, i) => ({ r, i })).filter(({ r }) => r.layer === layer && r.component === component);
  const anyMissing = Object.keys(unavailable).length > 0;
  return (
    <>
    <div className="site-diagram" role="group" aria-label="Hook sites: components by layer" data-testid="site-diagram"
      style={{ gridTemplateColumns: `max-content repeat(${layers}, minmax(1.7rem, 2.6rem))` }}>
      <div className="site-corner">component \ layer</div>
      {Array.from({ length: layers }, (_, l) => <div key={l} className="site-layer">{l}</div>)}
      {rows.map((row) => (
        <Fragment key={row.component}>
          <div className={`site-label site-group-${row.group.toLowerCase()}`} title={row.component}>{row.label}</div>
          {Array.from({ length: layers }, (_, l) => {
            const here = at(l, row.component);
            const disabled = row.component === 'token_embedding' && l > 0;
            const missing = unavailable[`L${l}.${row.component}`];
            const isSel = here.some(({ i }) => i === selected);
            // Not `disabled`: a disabled button shows no tooltip, and the reason is the point.
            return (
              <button key={l} type="button" disabled={disabled} aria-disabled={missing ? true : undefined}
                className={`site-cell${here.length ? ' site-cell-used' : ''}${isSel ? ' site-cell-selected' : ''}${missing ? ' site-cell-unavailable' : ''}`}
                title={missing ? `Not available in this model: ${missing}` : undefined}
                aria-label={`Layer ${l}, ${row.component}${missing ? ` (unavailable: ${missing})` : ''}${here.length ? `: intervention ${here.map(({ i }) => i).join(', ')}` : ''}`}
                aria-pressed={here.length > 0} data-layer={l} data-component={row.component}
                onClick={() => { if (!missing) onSite(l, row.component); }}>
                {here.map(({ i }) => i).join(',')}
              </button>
            );
          })}
        </Fragment>
      ))}
    </div>
    {anyMissing && <p className="note" data-testid="sites-unavailable-note">Hatched sites are not tensors in this model&apos;s graph: hover one for the reason.</p>}
    </>
  );
}
