// "Export as Python" for the experiment of the current screen: the document the engine's exporter reads (a run
// document; a sweep, trace or generation document), the script from engine/export/, and how to run it on PyTorch.
import { exportScript, type ExportTarget } from '../../../engine/export/export-script';
import { pytorchModelFor } from '../../../engine/export/pyvene-pieces';
import type { Experiment, ModelRef } from '../../link/schema';

export type ExportKind = 'run' | 'sweep' | 'trace' | 'generate';

export type ExportOutcome =
  | { ok: true; script: string; filename: string; command: string; weights: string | null; remote: boolean }
  | { ok: false; message: string };

/** The model as the exporter names it: a bundled id, a hub repo id, a URL or a local file's name (null: none). */
export function modelRefText(ref: ModelRef): string | null {
  if (ref.kind === 'bundled') return ref.id;
  if (ref.kind === 'hub') return ref.repo;
  if (ref.kind === 'url') return ref.url;
  if (ref.kind === 'local') return ref.name;
  return null;
}

/** The document for the exporter, in the formats `patchbay run` / `sweep` / `trace` / `generate` read. */
export function exportDocument(kind: ExportKind, e: Experiment): Record<string, unknown> {
  const model = modelRefText(e.model);
  const withModel = (d: Record<string, unknown>) => (model ? { ...d, model } : d);
  if (kind === 'run') return withModel(e.intervention);
  if (kind === 'sweep') {
    const s = e.sweep;
    return withModel({ kind: 'sweep', base: s.base, source: s.source, component: s.component, metric: s.metric, ...(s.answer ? { answer: s.answer } : {}) });
  }
  if (kind === 'generate') return withModel(generateDocument(e.generate, e.intervention));
  const t = e.trace;
  const answer = t.answer !== null ? { answer: t.answer } : {};
  if (t.corruption === 'replace') {
    // As the worker traces it (app/workers/trace-op.ts): the prompt with the subject's first occurrence replaced. One
    // corrupted run, no noise, so samples, noise and seed do not apply.
    return withModel({ kind: 'trace', prompt: t.prompt, subject: t.subject, ...answer, window: t.window, kinds: t.kinds, replace_with: replacedPrompt(t) });
  }
  return withModel({
    kind: 'trace', prompt: t.prompt, subject: t.subject, ...answer, samples: t.samples,
    noise: t.noise ?? 's3', window: t.window, kinds: t.kinds, seed: t.seed,
  });
}

/** The replacement prompt of a token-replacement trace, or '' when there is none to make (no replacement text, or
 *  the subject is not in the prompt; exportFor says which). */
function replacedPrompt(t: Experiment['trace']): string {
  const at = t.prompt.indexOf(t.subject);
  if (!t.replacement.trim() || !t.subject || at < 0) return '';
  return t.prompt.slice(0, at) + t.replacement + t.prompt.slice(at + t.subject.length);
}

/** The Generate screen's settings as `patchbay generate`'s flags in JSON: a steering vector as `--steer`'s JSON form,
 *  or the Interventions screen's document as `--experiment` (the prompt replaces its base, as on the screen). Sampling
 *  settings travel as `temperature`, which the exporter refuses above 0: it decodes greedily. */
function generateDocument(g: Experiment['generate'], intervention: Experiment['intervention']): Record<string, unknown> {
  const s = g.steer;
  const source = s.kind === 'diff' ? { positive: s.positive.filter((p) => p.trim()), negative: s.negative.filter((p) => p.trim()) }
    : s.kind === 'token' ? { token: s.token } : { vector: s.vector };
  const what = g.use === 'intervention' ? { experiment: intervention }
    : { steer: { layers: s.layers, component: s.component, coefficient: s.coefficient, ...source } };
  return {
    kind: 'generate', prompt: g.prompt, ...what,
    max_new_tokens: g.max_new_tokens, intervene_on: g.intervene_on, stop_at_eos: g.stop_at_eos, ...(g.temperature > 0 ? { temperature: g.temperature } : {}),
  };
}

/** The script for the current screen's experiment, or why the engine cannot export it (never a broken file). */
export function exportFor(kind: ExportKind, e: Experiment, target: ExportTarget): ExportOutcome {
  if (kind === 'trace' && e.trace.corruption === 'replace') {
    const t = e.trace;
    if (!t.replacement.trim()) return { ok: false, message: 'token replacement needs a replacement for the subject: give one in the trace settings' };
    if (!t.subject || !t.prompt.includes(t.subject)) return { ok: false, message: `the subject "${t.subject}" does not occur in the prompt: the replacement cannot take its place` };
  }
  const doc = exportDocument(kind, e);
  let script: string;
  try {
    script = exportScript(doc, target);
  } catch (err) {
    return { ok: false, message: refusal(err) };
  }
  const bundled = e.model.kind === 'bundled' ? e.model.id : null;
  // A bundled model runs from its converted weights; a hub export from its PyTorch original; files and URLs: the user's.
  const hf = bundled ? `${bundled}-torch` : e.model.kind === 'hub' ? pytorchModelFor(e.model.repo) : 'HF_ID_OR_PATH';
  const filename = `${kind === 'run' ? 'experiment' : kind}-${target}.py`;
  return {
    ok: true, script, filename, remote: target === 'nnsight',
    command: `python ${filename} --model ${hf} --out result.json`,
    weights: bundled ? `python tools/scaleout/onnx_to_torch.py public/models/${bundled} ${bundled}-torch` : null,
  };
}

function refusal(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `not exportable yet: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`;
}
