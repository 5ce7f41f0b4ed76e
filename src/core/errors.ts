/**
 * Typed errors. Every user-facing failure is a {@link RemoraError} whose message is one line naming the
 * source (file or object), the field, what was expected and what arrived. The CLI prints `message` only,
 * never a stack trace.
 */
export class RemoraError extends Error {
  /** Stable machine-readable code, e.g. `E_CONFIG`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Details of a validation failure: where, which field, what was expected, what arrived. */
export interface InvalidInputDetails {
  /** File path or logical source name (e.g. `scenario sr111`). */
  source: string;
  /** Dotted field path or `line 12, column cpu`. */
  field: string;
  /** Human description of the expected value. */
  expected: string;
  /** The value that arrived, already rendered. */
  actual: string;
}

/** Bad user input: a config, scenario, trace row, model file or CLI flag. */
export class InvalidInputError extends RemoraError {
  readonly details: InvalidInputDetails;
  constructor(details: InvalidInputDetails, options?: { cause?: unknown }) {
    super(
      'E_INPUT',
      `${details.source}: ${details.field}: expected ${details.expected}, got ${details.actual}`,
      options,
    );
    this.details = details;
  }
}

/** Misuse of the Env API (e.g. `step` after the episode ended without `reset`). */
export class EnvStateError extends RemoraError {
  constructor(message: string) {
    super('E_ENV_STATE', message);
  }
}

/** An action outside the action space, or masked out. */
export class InvalidActionError extends RemoraError {
  constructor(message: string) {
    super('E_ACTION', message);
  }
}

/** A named thing (scenario, policy, agent) does not exist. */
export class NotFoundError extends RemoraError {
  constructor(kind: string, name: string, known: readonly string[]) {
    super('E_NOT_FOUND', `unknown ${kind} '${name}': expected one of ${known.join(', ')}`);
  }
}

/** Render any value compactly for an error message. */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === undefined) return 'undefined (missing)';
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}
