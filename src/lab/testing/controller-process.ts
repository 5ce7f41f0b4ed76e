/**
 * `remora controller` as its own Node process (the CLI entry through tsx, so no build is needed), for the lab's
 * fault tests: a controller that can be SIGKILLed mid-move and started again. Its JSON log lines are parsed as
 * they arrive; the metrics port comes from its "metrics listening" line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../cluster/testing/control-plane.js';

export interface ControllerProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the metrics port once the process logged it. */
  metricsPort(timeoutMs?: number): Promise<number>;
  /** The live page's URL (with `--live-port`), once the process logged it. */
  liveUrl(timeoutMs?: number): Promise<string>;
  /** `/metrics` text. */
  scrape(): Promise<string>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function spawnControllerProcess(args: { config: string; kubeconfig: string; policy: string; identity: string; extraArgs?: string[] }): ControllerProcess {
  const script = `const { main } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/cli/main.ts')).href)}); process.exitCode = await main(process.argv.slice(1));`;
  const argv = ['controller', '--config', args.config, '--kubeconfig', args.kubeconfig, '--policy', args.policy, '--identity', args.identity, ...(args.extraArgs ?? [])];
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...argv], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        err += `(stdout, not JSON) ${line}\n`;
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => void (err = (err + c).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const logged = async (msg: string, timeoutMs: number): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const l = lines.find((x) => x.msg === msg);
      if (l) return l;
      if (child.exitCode !== null) throw new Error(`remora controller exited (${child.exitCode}): ${err}`);
      if (Date.now() > deadline) throw new Error(`remora controller did not log "${msg}" within ${timeoutMs} ms: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const metricsPort = async (timeoutMs = 30_000): Promise<number> => Number((await logged('metrics listening', timeoutMs)).port);
  return {
    child,
    lines,
    stderr: () => err,
    metricsPort,
    liveUrl: async (timeoutMs = 30_000) => String((await logged('live page listening', timeoutMs)).url),
    async scrape() {
      const r = await fetch(`http://127.0.0.1:${await metricsPort()}/metrics`);
      return r.text();
    },
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** The value of one series in Prometheus text (`name{labels}`, labels in any order), or 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v) && Object.keys(got).length === Object.keys(labels).length) return Number(m[3]);
  }
  return 0;
}
