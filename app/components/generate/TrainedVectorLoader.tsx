// "From a trained intervention…": reads the files `patchbay das --save-dir` writes (the JSON and its .f32 side file,
// picked together) and fills the explicit steering vector with the first direction of the trained subspace, at the
// layer and component it was trained at (engine/experiments/generate/trained-steer.ts). Nothing is uploaded.
import { useState } from 'react';
import { PatchbayError } from '../../../engine/errors';
import { trainedDirection } from '../../../engine/experiments/generate/trained-steer';
import type { GenerateSettings } from '../../link/schema';

type Steer = GenerateSettings['steer'];

export function TrainedVectorLoader({ onLoad }: { onLoad: (p: Partial<Steer>) => void }) {
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const load = async (list: FileList | null) => {
    const files = Array.from(list ?? []);
    try {
      const json = files.find((f) => /\.json$/i.test(f.name) && !/\.pyvene\.json$/i.test(f.name));
      if (!json) throw new PatchbayError('INPUT_INVALID', 'pick the trained intervention\'s .json together with its .f32 side file');
      const doc = JSON.parse(await json.text()) as { weight?: { file?: string } };
      const sideName = doc.weight?.file ?? '';
      const side = files.find((f) => f.name === sideName);
      if (!side) throw new PatchbayError('INPUT_INVALID', `${json.name} keeps its weights in "${sideName}": pick that file too`);
      const d = trainedDirection(doc, { [sideName]: new Uint8Array(await side.arrayBuffer()) }, 0);
      onLoad({ kind: 'vector', vector: d.values.map((v) => Number(v.toPrecision(7))), component: d.component, layers: [d.layer] });
      setNote({ ok: true, text: `${json.name}: direction 0 of ${d.rank} (${d.type}), unit length, at L${d.layer}.${d.component}.` });
    } catch (e) {
      setNote({ ok: false, text: e instanceof Error ? e.message : String(e) });
    }
  };
  return (
    <div className="field">
      <label className="btn btn-small file-button">
        From a trained intervention…
        <input type="file" multiple accept=".json,.f32" className="sr-only" data-testid="steer-trained-files"
          onChange={(e) => { void load(e.target.files); e.target.value = ''; }} />
      </label>
      {note && <div className={note.ok ? 'field-hint' : 'field-hint steer-trained-error'} role={note.ok ? 'status' : 'alert'} data-testid="steer-trained-note">{note.text}</div>}
      <div className="field-hint">
        The .json and .f32 that <code>patchbay das --save-dir</code> writes. The direction has length 1, so the coefficient is the step
        in activation units (the bundled models&apos; block outputs have norms of about 30–50); its sign is arbitrary, so try both.
      </div>
    </div>
  );
}
