// The app's error boundary: a render error in a screen shows what went wrong in place of that screen, while the
// header, the other screens and the experiment (in the store and the link) stay as they were.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What the user was looking at, for the message ("the Interventions screen"). */
  where: string;
  children: ReactNode;
  /** Optional way out: resets the part of the experiment this screen shows (offered as a button). */
  onReset?: () => void;
  resetLabel?: string;
}

interface State { error: Error | null }

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // Kept in the console for bug reports; the user sees the message below.
    console.error(`Patchbay: ${this.props.where} failed to draw`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const { where, onReset, resetLabel } = this.props;
    return (
      <div className="crash panel" role="alert" data-testid="crash">
        <h2>{where} could not be shown</h2>
        <p>
          Something in this experiment made {where.charAt(0).toLowerCase() + where.slice(1)} fail: <code>{error.message.slice(0, 300)}</code>.
          Your experiment is kept (the <strong>Copy link</strong> button still shares it), and the other screens work.
        </p>
        <div className="banner-actions">
          <button type="button" className="btn btn-small" onClick={() => this.setState({ error: null })}>Try again</button>
          {onReset && (
            <button type="button" className="btn btn-small" onClick={() => { onReset(); this.setState({ error: null }); }}>
              {resetLabel ?? 'Reset this screen'}
            </button>
          )}
        </div>
      </div>
    );
  }
}
