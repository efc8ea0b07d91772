import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

/** Says what went wrong and what to do next; 401 sends the reader to sign in again. */
export function ErrorState({ error, retry, what }: { error: unknown; retry?: () => void; what: string }) {
  const status = error instanceof ApiError ? error.status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const hint =
    status === 401
      ? 'Your session has ended. Sign in again.'
      : status === 403
        ? 'Your role does not allow this. Ask a distributor admin if you need access.'
        : status === 404
          ? 'It may have been removed, or the link is wrong.'
          : status === 0
            ? 'Check your connection and that the server is running.'
            : 'Try again; if it keeps failing, the server log has the details.';
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {message}
      </p>
      <p className="muted">{hint}</p>
      {status === 401 ? (
        <a className="button" href="#/login">
          Sign in
        </a>
      ) : retry ? (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="inline-error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
