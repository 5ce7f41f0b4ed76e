/** Small JSON GET helper for the external observation sources (Prometheus, RTT endpoints, MEC 013). */
export async function getJson(url: string, timeoutMs: number, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const res = await fetch(url, { headers: { Accept: 'application/json', ...headers }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

/** JSON POST (a batch request); the answer must be JSON. */
export async function postJson(url: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const res = await fetch(url, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`POST ${url}: expected a JSON answer, got ${JSON.stringify(text.slice(0, 60))}`);
  }
}

export function fillTemplate(template: string, vars: Record<string, string>, encode = true): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? (encode ? encodeURIComponent(vars[k]!) : vars[k]!) : m));
}
