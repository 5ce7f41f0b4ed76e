import { Dashboard } from '../../server/dashboard.js';
import { defineCommand } from '../command.js';

export const dashboardCommand = defineCommand({
  name: 'dashboard',
  summary: 'Serve the web dashboard: training curves, comparison tables, Fig. 6 timelines and decisions of any policy',
  usage: '[--runs <dir>] [--port 8080] [--host 127.0.0.1]',
  flags: {
    runs: { type: 'string', description: 'Folder whose sub-folders are training runs or reproduce outputs', default: 'runs', placeholder: '<dir>' },
    port: { type: 'integer', description: 'TCP port (0 = any free port)', default: 8080 },
    host: { type: 'string', description: 'Address to listen on', default: '127.0.0.1' },
  },
  details: 'Pages: / (runs), /run/<name>, /episode?scenario=&policy=&seed= ; JSON under /api/runs and /api/episode. Ctrl-C stops it.',
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
