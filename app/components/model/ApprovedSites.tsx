// The sites the user has allowed Patchbay to download models from (after a link named them), each revocable:
// revoking means the next link naming that site asks again before anything is downloaded.
import { useState } from 'react';
import { HUB, rememberedOrigins, revoke, sessionOrigins } from '../../state/approvals';
import { useStore } from '../../state/store';
import { selectApproval } from '../../state/view-slice';
import { Panel } from '../common/ui';

export function ApprovedSites() {
  const [, refresh] = useState(0);
  // Approvals live in localStorage: read them again whenever an approval question opens or is answered.
  useStore(selectApproval);
  useStore((s) => s.model.status);
  const always = rememberedOrigins();
  const once = sessionOrigins();
  const rows = [...always.map((o) => ({ origin: o, how: 'always' })), ...once.map((o) => ({ origin: o, how: 'this page only' }))];
  return (
    <Panel title="Sites allowed to send models" className="approved-sites">
      <p className="small muted">
        Bundled models and <code>{new URL(HUB).host}</code> are always allowed. A link naming any other site asks first.
      </p>
      {rows.length === 0 ? <p className="small muted" data-testid="approved-none">You have not allowed any other site.</p> : (
        <ul className="approved-list" data-testid="approved-sites">
          {rows.map((r) => (
            <li key={r.origin} className="row between">
              <span><code>{r.origin}</code> <span className="small muted">({r.how})</span></span>
              <button type="button" className="btn btn-small" aria-label={`Revoke ${r.origin}`}
                onClick={() => { revoke(r.origin); refresh((n) => n + 1); }}>Revoke</button>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
