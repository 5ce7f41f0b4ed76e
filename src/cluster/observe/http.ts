/** Small JSON GET helper for the external observation sources (Prometheus, RTT endpoints, MEC 013). */
export async function getJson(url: string, timeoutMs: number, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const res = await fetch(url, { headers: { Accept: 'application/json', ...headers }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

export function fillTemplate(template: string, vars: Record<string, string>, encode = true): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? (encode ? encodeURIComponent(vars[k]!) : vars[k]!) : m));
}
