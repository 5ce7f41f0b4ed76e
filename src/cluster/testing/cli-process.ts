/**
 * `remora controller ...` as a separate Node process (the CLI entry, run through tsx), for the cluster tests that
 * need a real process: SIGKILL, SIGTERM, several replicas. Its stdout is JSON lines (the controller's logger); each
 * line is kept with the wall time it arrived.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './control-plane.js';
import { waitUntil } from './suite.js';

export type LogLine = Record<string, unknown> & { msg?: string; atMs: number };

export interface CliProcess {
  lines: LogLine[];
  /** The first line that matches, waited for (fails, with the process's last words, if it exits first). */
  waitLog(pred: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<number | null>;
  kill(sig: NodeJS.Signals): void;
  stderr(): string;
}

export function spawnController(args: string[]): CliProcess {
  const script = `const { main } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/cli/main.ts')).href)}); process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'controller', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let err = '';
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push({ ...(JSON.parse(buf.slice(0, i)) as Record<string, unknown>), atMs: Date.now() });
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    lines,
    exited,
    kill: (sig) => void child.kill(sig),
    stderr: () => err,
    async waitLog(pred, what, timeoutMs = 30_000) {
      try {
        return await waitUntil(() => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error('the process exited');
          return lines.find(pred);
        }, `log line "${what}"`, timeoutMs);
      } catch (e) {
        throw new Error(`no log line "${what}" (${(e as Error).message}); stderr: ${err.slice(-500)}; stdout: ${JSON.stringify(lines.slice(-5))}`);
      }
    },
  };
}
