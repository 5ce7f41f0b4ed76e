/**
 * Start a worker thread from a module next to the caller: the compiled `.js` when running from the build, or, under
 * tsx from TypeScript sources, the `.ts` one loaded through tsx's ESM API (a worker thread does not inherit the
 * loader the main thread was started with).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type MessagePort } from 'node:worker_threads';

export function spawnModuleWorker(callerUrl: string, name: string, workerData: unknown, transferList: MessagePort[] = []): Worker {
  if (fileURLToPath(callerUrl).endsWith('.ts')) {
    const url = new URL(`./${name}.ts`, callerUrl).href;
    const api = import.meta.resolve('tsx/esm/api');
    return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`, { eval: true, workerData, transferList });
  }
  const js = new URL(`./${name}.js`, callerUrl);
  if (!existsSync(fileURLToPath(js))) throw new Error(`${fileURLToPath(js)} is missing; run \`npm run build\``);
  return new Worker(js, { workerData, transferList });
}
