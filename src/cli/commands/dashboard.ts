import { Dashboard } from '../../server/dashboard.js';
import { defineCommand } from '../command.js';

export const dashboardCommand = defineCommand({
  name: 'dashboard',
  summary: 'Serve the web dashboard: every run and sweep, live training curves, comparison tables, maps and Fig. 6 timelines of any policy',
  usage: '[--runs <dir>] [--port 8080] [--host 127.0.0.1]',
  flags: {
    runs: { type: 'string', description: 'Folder holding training runs, sweeps and reproduce outputs (nested ones included)', default: 'runs', placeholder: '<dir>' },
    port: { type: 'integer', description: 'TCP port (0 = any free port)', default: 8080 },
    host: { type: 'string', description: 'Address to listen on', default: '127.0.0.1' },
  },
  details: 'Pages: / (runs), /run/<path>, /episode?scenario=&policy=&seed= ; JSON under /api/runs, /api/episode and /api/curves?run=; a training run\'s curves update live over SSE. Ctrl-C stops it.',
  async run({ flags }, io) {
    const d = new Dashboard({ runsDir: flags.runs, port: flags.port, host: flags.host });
    const url = await d.start();
    io.err(`remora dashboard: ${url} (runs: ${flags.runs})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => void d.stop().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
});
