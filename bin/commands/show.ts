// `patchbay show RESULT.json [--values]`: reads a result file — from `patchbay run` / `trace` / `sweep` /
// `generate --json`, or from a script `patchbay export` wrote — validates it (engine/io/result-files.ts: errors name
// the JSON path) and prints it as text: top-k tables, heatmaps as shaded character grids, continuations, provenance.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import {
  parseResultText, provenanceLine, resultFileError, type GenerateFile, type GruRunFile, type ResultFile, type RunFile, type SweepFile, type TraceFile,
} from '../../engine/io/result-files.js';

const SHADES = [' ', '·', '░', '▒', '▓', '█'];
interface Flags { values?: boolean; top?: string }

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('print a result file (run, trace, sweep or generate JSON, from Patchbay or an exported script) as text, with its provenance')
    .argument('<result>', 'result JSON file')
    .option('--values', 'print the numbers of heatmap cells instead of shades')
    .option('--top <k>', 'how many predictions to list per run', '5')
    .action(async (file: string, flags: Flags) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new PatchbayError('RESULT_INVALID', `cannot read ${file}: ${(e as Error).message}`);
      }
      const parsed = parseResultText(text);
      if (!parsed.ok) throw resultFileError(parsed.errors, file);
      const top = Number(flags.top);
      if (!Number.isInteger(top) || top < 1) throw new PatchbayError('INPUT_INVALID', `--top ${flags.top}: expected a whole number ≥ 1`);
      process.stdout.write(`${formatResult(parsed.file, { values: !!flags.values, top }).join('\n')}\n`);
    });
}

/** The lines `patchbay show` prints for a parsed result file. */
export function formatResult(f: ResultFile, o: { values: boolean; top: number }): string[] {
  const r = f.result;
  const head = [`${LABELS[f.kind]}${r.model ? ` · model ${r.model}` : ''}`, `  from ${provenanceLine(r.provenance)}`, ''];
  switch (f.kind) {
    case 'run': return [...head, ...formatRun(f.result, o.top)];
    case 'gru-run': return [...head, ...formatGru(f.result, o.top)];
    case 'trace': return [...head, ...formatTrace(f.result, o.values)];
    case 'sweep': return [...head, ...formatSweep(f.result, o.values)];
    case 'generate': return [...head, ...formatGenerate(f.result)];
  }
}

const LABELS: Record<ResultFile['kind'], string> = {
  run: 'run result', 'gru-run': 'run result (recurrent)', trace: 'causal trace', sweep: 'patching sweep', generate: 'generation',
};

type TopK = RunFile['original']['top_k'];

function topTable(title: string, a: TopK, b: TopK, k: number): string[] {
  const cell = (t: TopK[number] | undefined) => (t ? `${JSON.stringify(t.token ?? `<${t.id}>`).padEnd(16)} ${t.prob.toFixed(4)} ${t.logit.toFixed(3).padStart(9)}` : '');
  const lines = [title, `  ${'original'.padEnd(34)}   intervened`, `  ${'token            prob       logit'.padEnd(34)}   token            prob       logit`];
  for (let i = 0; i < Math.min(k, Math.max(a.length, b.length)); i++) lines.push(`  ${cell(a[i]).padEnd(34)}   ${cell(b[i])}`);
  return lines;
}

function formatRun(r: RunFile, k: number): string[] {
  const lines = [`base: ${r.tokens.base ? r.tokens.base.map((t) => JSON.stringify(t)).join(' ') : r.input_ids.base.join(' ')}`];
  r.tokens.sources.forEach((s, i) => lines.push(`source ${i}: ${s ? s.map((t) => JSON.stringify(t)).join(' ') : r.input_ids.sources[i]?.join(' ')}`));
  lines.push('', ...topTable('next token (last position)', r.original.top_k, r.intervened.top_k, k));
  for (const [i, row] of (r.rows ?? []).slice(1).entries()) lines.push('', ...topTable(`row ${i + 1}`, row.original.top_k, row.intervened.top_k, k));
  if (r.pairs?.length) {
    lines.push('', `pairs: IIA ${(r.iia ?? r.pairs.filter((p) => p.match).length / r.pairs.length).toFixed(3)} (${r.pairs.filter((p) => p.match).length} of ${r.pairs.length} predict the source label)`);
    for (const p of r.pairs) lines.push(`  ${p.match ? '✓' : '✗'} ${JSON.stringify(p.base)} ← ${JSON.stringify(p.source)}: ${JSON.stringify(p.intervened_top.token)} (label ${JSON.stringify(p.source_label)})`);
  }
  if (r.collected.length) {
    lines.push('', 'collected');
    for (const c of r.collected) {
      const units = c.units.map((u) => [u.head !== undefined ? `h${u.head}` : '', u.pos !== undefined ? `p${u.pos}` : ''].join('')).join(', ');
      const norms = c.values.map((v) => Math.hypot(...v).toFixed(3)).join(', ');
      lines.push(`  intervention ${c.intervention} ${c.site} row ${c.row}: ${c.values.length} × ${c.values[0]?.length ?? 0} at ${units} (norms ${norms})`);
    }
  }
  return lines;
}

function formatGru(r: GruRunFile, k: number): string[] {
  return r.original.steps.flatMap((s, i) => ['', ...topTable(`step ${s.t}`, s.top_k, r.intervened.steps[i]?.top_k ?? [], k)]).slice(1);
}

function formatGenerate(r: GenerateFile): string[] {
  const text = (c: GenerateFile['original']) => (c.text ?? c.ids.join(' '));
  return [`prompt ids:  ${r.prompt_ids.join(' ')}`, `original:   ${JSON.stringify(text(r.original))}`, `intervened: ${JSON.stringify(text(r.intervened))}`,
    `(${r.original.ids.length} and ${r.intervened.ids.length} tokens; the first difference at token ${firstDifference(r.original.ids, r.intervened.ids) ?? '— (none)'})`];
}

function firstDifference(a: number[], b: number[]): number | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return null;
}

function formatTrace(t: TraceFile, values: boolean): string[] {
  const [b, e] = t.subject_range;
  const labels = t.tokens.map((tok, i) => `${JSON.stringify(tok)}${i >= b && i < e ? '*' : ''}`);
  const lines = [
    `answer ${JSON.stringify(t.answer.text ?? `<${t.answer.id}>`)} (id ${t.answer.id}) · high (clean) ${t.high_score.toFixed(4)} · low (corrupted) ${t.low_score.toFixed(4)}`,
    `${t.samples} noised samples (${t.noise?.kind ?? 'noise'}), window ${t.window}; * marks subject tokens`,
  ];
  const names = { resid: 'single restored layer (block output)', mlp: 'MLP outputs restored over the window', attn: 'attention outputs restored over the window' };
  for (const kind of t.kinds) lines.push('', `${kind}: ${names[kind]}`, ...grid(labels, t.scores[kind]!, t.low_score, values));
  return lines;
}

function formatSweep(s: SweepFile, values: boolean): string[] {
  const cells = s.values.flat().filter((v): v is number => v !== null);
  const lines = [
    `${s.component} patched source → base · metric ${s.metric} of ${JSON.stringify(s.answer.text ?? `<${s.answer.id}>`)}` +
      `${s.base_answer ? ` (base top-1 ${JSON.stringify(s.base_answer.text)})` : ''}`,
    `low (nothing patched) ${s.low_score.toFixed(4)} · high (clean source) ${s.high_score.toFixed(4)}`, '',
  ];
  return [...lines, ...grid(s.tokens.map((t) => JSON.stringify(t)), s.values, Math.min(s.low_score, ...cells), values)];
}

/** A token × layer grid: shaded cells scaled from `low` to the largest value (or the numbers, with --values). */
function grid(labels: string[], rows: (number | null)[][], low: number, values: boolean): string[] {
  const layers = rows[0]?.length ?? 0;
  const all = rows.flat().filter((v): v is number => v !== null);
  const high = Math.max(low, ...all);
  const width = Math.max(...labels.map((l) => l.length));
  const w = values ? 6 : 2;
  const header = `${''.padEnd(width)}  ${Array.from({ length: layers }, (_, l) => (l % (values ? 1 : 5) === 0 ? String(l) : '').padEnd(w)).join('')}`;
  const cell = (v: number | null) => {
    if (v === null) return '?'.padEnd(w);
    if (values) return v.toFixed(3).padStart(w - 1).padEnd(w);
    const i = high > low ? Math.round(((v - low) / (high - low)) * (SHADES.length - 1)) : 0;
    return SHADES[Math.max(0, Math.min(SHADES.length - 1, i))]!.repeat(2);
  };
  const body = rows.map((row, i) => `${labels[i]!.padEnd(width)}  ${row.map(cell).join('')}`);
  const legend = values ? [] : [`${''.padEnd(width)}  layers →   shades ${SHADES.map((s) => `[${s}]`).join('')} from ${low.toFixed(4)} to ${high.toFixed(4)}`];
  return [header, ...body, ...legend].map((l) => l.trimEnd());
}
