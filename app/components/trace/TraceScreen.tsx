// The Causal trace screen: a prompt, its subject (guessed, editable, highlighted in the token strip), the answer
// (clean top-1 by default, from the top-5 shown), options, Run with progress, and Meng-style heatmaps.
import { useEffect } from 'react';
import { useStore } from '../../state/store';
import { selectClassroom, selectTrace } from '../../state/experiment-slice';
import { selectOp } from '../../state/run-slice';
import { usePrediction } from '../common/hooks';
import { RunBar } from '../common/RunBar';
import { TokenStrip } from '../common/TokenStrip';
import { ErrorNote, Explainer, Field, Panel, ProbBar, tokenLabel } from '../common/ui';
import { TraceOptions } from './TraceOptions';
import { TraceResults } from './TraceResults';
import { ExportPython } from '../results-import/ExportPython';
import { guessSubject, rangeText, subjectRange } from './subject';
import type { TraceProgress } from '../../workers/trace-op';

export function TraceScreen() {
  const trace = useStore(selectTrace);
  const classroom = useStore(selectClassroom);
  const patch = useStore((s) => s.patchTrace);
  const op = useStore(selectOp('trace'));
  const run = useStore((s) => s.runTrace);
  const cancel = useStore((s) => s.cancelOp);
  const ready = useStore((s) => s.model.status === 'ready');
  const prediction = usePrediction(trace.prompt);
  const tokens = prediction?.result?.tokens ?? [];
  const range = tokens.length ? subjectRange(tokens, trace.prompt, trace.subject) : null;

  // A new prompt that no longer contains the subject gets a fresh guess.
  useEffect(() => {
    if (trace.prompt && !trace.prompt.includes(trace.subject.trim() || '\u0000')) patch({ subject: guessSubject(trace.prompt) });
  }, [trace.prompt, trace.subject, patch]);

  const toggleToken = (pos: number) => {
    if (range && (pos === range[0] - 1 || pos === range[1])) patch({ subject: rangeText(tokens, [Math.min(pos, range[0]), Math.max(pos + 1, range[1])]) });
    else if (range && range[1] - range[0] > 1 && (pos === range[0] || pos === range[1] - 1)) {
      patch({ subject: rangeText(tokens, pos === range[0] ? [range[0] + 1, range[1]] : [range[0], range[1] - 1]) });
    } else patch({ subject: rangeText(tokens, [pos, pos + 1]) });
  };
  const marks: Record<number, 'subject'> = {};
  if (range) for (let i = range[0]; i < range[1]; i++) marks[i] = 'subject';
  const top = prediction?.result?.top ?? [];
  const disabled = !ready ? 'Open a model first.' : !trace.subject.trim() ? 'Choose a subject.' : !range && tokens.length ? 'The subject is not in the prompt.'
    : trace.corruption === 'replace' && !trace.replacement.trim() ? 'Give a replacement for the subject.' : null;

  return (
    <div className="screen screen-trace">
      <div className="screen-intro">
        <h1>Causal trace</h1>
        <p className="lede">Where does the model recall a fact? Corrupt the subject, then restore one hidden state at a time and watch the answer come back.</p>
      </div>
      <div className="columns columns-work">
        <div className="stack">
          <Panel title="Prompt">
            <div className="form-grid">
              <Field label="Prompt">
                {(id) => <textarea id={id} rows={2} value={trace.prompt} onChange={(e) => patch({ prompt: e.target.value })} data-testid="trace-prompt" />}
              </Field>
              <Field label="Subject" hint="Its tokens are corrupted. Click tokens below to change it.">
                {(id) => <input id={id} value={trace.subject} onChange={(e) => patch({ subject: e.target.value })} data-testid="trace-subject" />}
              </Field>
              {tokens.length > 0 && <TokenStrip label="Prompt tokens; click to set the subject" tokens={tokens} marks={marks} onToggle={toggleToken} testId="trace-tokens" />}
              <ErrorNote error={prediction?.error} title="Could not read the prompt" />
              <AnswerPicker top={top} answer={trace.answer} onChange={(answer) => patch({ answer })} />
            </div>
          </Panel>
          <TraceOptions />
          <Panel>
            <RunBar op={op} current={trace} label="Run trace" onRun={run} onCancel={() => cancel('trace')} disabled={disabled} testId="trace"
              progressText={(p) => {
                const t = p as TraceProgress;
                const text = t.stage === 'compile' ? 'preparing the graphs' : t.stage === 'cells' ? `${t.done} of ${t.total} batches of cells` : `${t.stage} run`;
                return { fraction: t.stage === 'cells' && t.total ? t.done / t.total : null, text };
              }} />
            <ExportPython kind="trace" />
          </Panel>
        </div>
        <div className="stack">
          <Explainer open={classroom.explain}>
            <p>
              Each cell is one experiment. {trace.corruption === 'replace'
                ? 'The subject is replaced by another of the same token length, so the model loses the fact; then the'
                : "The subject's token embeddings are corrupted with noise, so the model loses the fact; then the"}{' '}
              clean value of one hidden state (a <strong>token</strong> row at a <strong>layer</strong> column) is put back. Dark cells are states
              that carry enough of the fact to bring the answer back: its probability is the colour.
            </p>
            <p>Meng et al. (2022) found a peak in the MLPs at the last subject token in middle layers, and a late peak in attention at the last token.</p>
          </Explainer>
          <TraceResults />
        </div>
      </div>
    </div>
  );
}

function AnswerPicker({ top, answer, onChange }: { top: { id: number; token: string; prob: number }[]; answer: string | null; onChange: (a: string | null) => void }) {
  if (top.length === 0) return null;
  const custom = answer !== null && !top.some((t) => t.token === answer);
  return (
    <fieldset className="answer-picker" data-testid="answer-picker">
      <legend>Answer <span className="muted small">(what the clean run predicts next)</span></legend>
      <table className="data">
        <thead><tr><th scope="col" aria-label="chosen" /><th scope="col">Next token</th><th scope="col" className="num">p</th></tr></thead>
        <tbody>
          {top.map((t, i) => {
            const chosen = answer === null ? i === 0 : answer === t.token;
            return (
              <tr key={t.id}>
                <td><input type="radio" name="answer" checked={chosen} aria-label={`Answer ${JSON.stringify(t.token)}`} onChange={() => onChange(i === 0 ? null : t.token)} /></td>
                <td><code>{tokenLabel(t.token)}</code>{i === 0 && <span className="badge" style={{ marginLeft: 6 }}>top-1</span>}</td>
                <td className="num"><ProbBar p={t.prob} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {custom && <p className="small muted">Answer set to <code>{tokenLabel(answer)}</code> (not in the top 5). <button type="button" className="btn btn-small btn-ghost" onClick={() => onChange(null)}>Use top-1</button></p>}
    </fieldset>
  );
}
