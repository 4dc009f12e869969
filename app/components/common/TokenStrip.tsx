// A prompt's tokens as a row of chips: marked ones (the subject, chosen positions) are highlighted; when `onToggle`
// is given each chip is a button, so positions are chosen by clicking (or Tab + Space); `extend` reports whether
// Shift, Ctrl or Cmd was held (add to the choice rather than replace it).
import { tokenLabel } from './ui';

export interface TokenStripProps {
  label: string;
  tokens: string[];
  /** Highlighted positions, with the class that marks them. */
  marks?: Record<number, 'subject' | 'selected' | 'answer'>;
  onToggle?: (pos: number, extend: boolean) => void;
  testId?: string;
}

export function TokenStrip({ label, tokens, marks = {}, onToggle, testId }: TokenStripProps) {
  return (
    <div className="token-strip" role="group" aria-label={label} data-testid={testId}>
      {tokens.map((t, i) => {
        const mark = marks[i];
        const cls = `token${mark ? ` token-${mark}` : ''}`;
        const title = `position ${i}: ${JSON.stringify(t)}`;
        return onToggle ? (
          <button key={i} type="button" className={cls} title={title} aria-pressed={!!mark} data-pos={i} onClick={(e) => onToggle(i, e.shiftKey || e.ctrlKey || e.metaKey)}>
            <span className="token-pos" aria-hidden="true">{i}</span>{tokenLabel(t)}
          </button>
        ) : (
          <span key={i} className={cls} title={title} data-pos={i}>
            <span className="token-pos" aria-hidden="true">{i}</span>{tokenLabel(t)}
          </span>
        );
      })}
    </div>
  );
}
