/** A measurement with the time it was taken (ms since the epoch, from the source when it says, else the controller's clock). */
export interface Timed {
  value: number;
  atMs: number;
}

/** L_j per node (Eq.2 already applied). A node missing from the map is a missing observation. */
export interface LoadSource {
  readonly name: string;
  readLoads(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed>>;
}

/**
 * RTT samples per node for one user, newest last. Sources that only know the latest value return one sample;
 * the controller's RTT store (`rtt-table.ts`) keeps the window of Eq.1 across ticks.
 */
export interface RttSource {
  readonly name: string;
  readRtt(user: string, nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed[]>>;
}

/** Clock injected everywhere (tests drive time). */
export interface Clock {
  /** Wall-clock ms since the epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * Waits `ms`, resolving early (never rejecting) when `signal` aborts. Injected next to the {@link Clock} so that
 * every wait in the controller and its API client is under the caller's control (client-node's `delayFn`).
 */
export type Delay = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The one real timer behind {@link Delay}; everything else receives a `Delay`. */
export const systemDelay: Delay = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Receives one RTT sample of (user, node): value in ms (NaN when the source says the node is unreachable). */
export type RttSink = (user: string, node: string, valueMs: number, atMs: number) => void;

/** What a batch read could not use: each entry names the user (when known) and why, in one line. */
export interface BatchRttReport {
  rejected: { user?: string; why: string }[];
}

/**
 * RTT samples for every user in one request per tick (the fleet path). A user the answer leaves out, or whose
 * entry is malformed, gets no samples: its observation goes stale and it waits, while the others proceed. A
 * request that fails as a whole rejects.
 */
export interface BatchRttSource {
  readonly name: string;
  /** `rowSink`, when given, takes a user's whole row at once where the answer has one (the compact http-json form). */
  readRttBatch(users: readonly string[], nodes: readonly string[], sink: RttSink, signal?: AbortSignal, rowSink?: RttRowSink): Promise<BatchRttReport>;
}

/** Receives one user's RTT to every requested node, in the request's node order (null = unreachable), all taken at `atMs`. */
export type RttRowSink = (user: string, rttMs: ArrayLike<number | null>, atMs: number) => void;
