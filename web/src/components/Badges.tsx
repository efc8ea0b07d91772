import type { Severity, Status } from '../api/types.js';

// Colour is never the only signal: every badge carries an icon and a word.
const STATUS: Record<Status, { icon: string; label: string }> = {
  pass: { icon: '✓', label: 'Pass' },
  fail: { icon: '✕', label: 'Fail' },
  warn: { icon: '!', label: 'Warn' },
  unknown: { icon: '?', label: 'Unknown' },
  suppressed: { icon: '⊘', label: 'Suppressed' },
};

/** `label` replaces the word (e.g. "Completed") while the colour and icon still say how it went. */
export function StatusBadge({ status, label }: { status: Status | string; label?: string }) {
  const s = STATUS[status as Status] ?? { icon: '?', label: status };
  return (
    <span className={`badge status-${status}`}>
      <span aria-hidden="true">{s.icon}</span> {label ?? s.label}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}

export function GradeBadge({ grade, large }: { grade: string | null | undefined; large?: boolean }) {
  const g = grade ?? '–';
  return (
    <span className={`grade grade-${g}${large ? ' grade-large' : ''}`}>
      <span aria-hidden="true">{g}</span>
      <span className="sr-only">{grade ? `Grade ${grade}` : 'No grade yet'}</span>
    </span>
  );
}

export function LockoutBadge() {
  return (
    <span className="badge status-fail">
      <span aria-hidden="true">⚠</span> Locked out
    </span>
  );
}
