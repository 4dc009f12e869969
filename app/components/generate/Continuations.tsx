// Both continuations side by side, token by token as they stream in: each generated token with the probability the
// model gave it (the bar's shade and the number under it). Tokens where the two continuations part are marked.
import type { GeneratedToken } from '../../../engine/experiments/generate';
import { formatProb } from '../common/ui';

export function Continuations({ prompt, original, intervened, label }: {
  prompt: string; original: GeneratedToken[]; intervened: GeneratedToken[]; label: string;
}) {
  const split = firstDifference(original, intervened);
  return (
    <div className="continuations">
      <Column title="Original" prompt={prompt} tokens={original} split={split} testId="gen-original" />
      <Column title={label} prompt={prompt} tokens={intervened} split={split} testId="gen-intervened" />
    </div>
  );
}

function Column({ title, prompt, tokens, split, testId }: { title: string; prompt: string; tokens: GeneratedToken[]; split: number; testId: string }) {
  return (
    <section className="continuation" aria-label={`${title} continuation`} data-testid={testId}>
      <h3>{title}</h3>
      <p className="continuation-text">
        <span className="continuation-prompt">{prompt}</span>
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
