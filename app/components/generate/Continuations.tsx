// Both continuations side by side, token by token as they stream in: each generated token with the probability the
// model gave it (the bar's shade and the number under it). Tokens where the two continuations part are marked. An
// imported file without per-token probabilities shows each continuation's text (PlainContinuations).
import type { Continuation, GeneratedToken } from '../../../engine/experiments/generate';
import { formatProb } from '../common/ui';

/** The prompt before the tokens: its text, or (an imported file without its document) how many tokens it had. */
export type ShownPrompt = string | { tokens: number };

export function Continuations({ prompt, original, intervened, label }: {
  prompt: ShownPrompt; original: GeneratedToken[]; intervened: GeneratedToken[]; label: string;
}) {
  const split = firstDifference(original, intervened);
  return (
    <div className="continuations">
      <Column title="Original" prompt={prompt} tokens={original} split={split} testId="gen-original" />
      <Column title={label} prompt={prompt} tokens={intervened} split={split} testId="gen-intervened" />
    </div>
  );
}

/** The two continuations' text only (a file written before per-token probabilities were recorded). */
export function PlainContinuations({ prompt, original, intervened, label }: { prompt: ShownPrompt; original: Continuation; intervened: Continuation; label: string }) {
  const text = (c: Continuation) => c.text ?? `${c.ids.length} tokens: ${c.ids.map((id) => `#${id}`).join(' ')}`;
  return (
    <>
      <div className="continuations">
        {([['Original', original, 'gen-original'], [label, intervened, 'gen-intervened']] as const).map(([title, c, testId]) => (
          <section key={testId} className="continuation" aria-label={`${title} continuation`} data-testid={testId}>
            <h3>{title}</h3>
            <p className="continuation-text continuation-plain"><Prompt prompt={prompt} /><span className="gen-plain">{text(c)}</span></p>
          </section>
        ))}
      </div>
      <p className="note" data-testid="gen-no-probs">The file holds each continuation&apos;s text only, not the probability of each token (it was written before
        result files recorded them).</p>
    </>
  );
}

function Prompt({ prompt }: { prompt: ShownPrompt }) {
  if (typeof prompt === 'string') return <span className="continuation-prompt">{prompt}</span>;
  return <span className="continuation-prompt continuation-prompt-ids" data-testid="gen-prompt-ids"
    title="The file holds the prompt's token ids, not its text">prompt: {prompt.tokens} tokens</span>;
}

function Column({ title, prompt, tokens, split, testId }: { title: string; prompt: ShownPrompt; tokens: GeneratedToken[]; split: number; testId: string }) {
  return (
    <section className="continuation" aria-label={`${title} continuation`} data-testid={testId}>
      <h3>{title}</h3>
      <p className="continuation-text">
        <Prompt prompt={prompt} />
        {tokens.map((t, i) => (
          <span key={i} className={`gen-token${i >= split ? ' gen-token-diverged' : ''}`} title={`p = ${formatProb(t.prob)}`} data-prob={t.prob.toFixed(4)}>
            <span className="gen-token-text" style={{ backgroundColor: `rgba(99, 91, 255, ${(0.08 + 0.4 * t.prob).toFixed(3)})` }}>{visible(t.text)}</span>
            <span className="gen-token-prob">{formatProb(t.prob)}</span>
          </span>
        ))}
      </p>
    </section>
  );
}

/** The first step where the two continuations chose different tokens (Infinity if none). */
export function firstDifference(a: GeneratedToken[], b: GeneratedToken[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i]!.id !== b[i]!.id) return i;
  return a.length === b.length ? Infinity : n;
}

function visible(t: string | null): string {
  if (t === null) return '?';
  return t.replace(/\n/g, '↵') || '∅';
}
