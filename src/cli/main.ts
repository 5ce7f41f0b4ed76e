/**
 * `remora` CLI entry. Wiring only: every command lives in `./commands/`, and nothing imports this folder.
 */
import { formatError, helpText, parseArgs, type Command, type Io } from './command.js';
import { commands } from './registry.js';

export function nodeIo(): Io {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

function topHelp(list: readonly Command[]): string {
  const w = Math.max(...list.map((c) => c.name.length)) + 4;
  return [
    'remora - keeps edge services attached to moving users (DRL service migration for MEC)',
    '',
    'Usage: remora <command> [flags]     (remora <command> --help for details)',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
  ].join('\n');
}

/** Find the longest command name matching the argv prefix (commands may have two words, e.g. `bench env`). */
function resolve(argv: string[], list: readonly Command[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of list) {
    const words = cmd.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.cmd.name.split(' ').length)) {
      best = { cmd, rest: argv.slice(words.length) };
    }
  }
  return best;
}

export async function main(argv: string[], io: Io = nodeIo(), list: readonly Command[] = commands): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(topHelp(list));
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === '--version') {
    io.out(`${(await import('../core/version.js')).VERSION}\n`);
    return 0;
  }
  const found = resolve(argv, list);
  if (!found) {
    // A group word alone (e.g. `remora bench`) prints the group's commands.
    const group = list.filter((c) => c.name.split(' ')[0] === argv[0]);
    if (group.length && (argv.length === 1 || argv[1] === '--help')) {
      io.out(topHelp(group));
      return argv.length === 1 ? 1 : 0;
    }
    io.err(`remora: unknown command '${argv.join(' ')}': expected one of ${list.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  try {
    const parsed = parseArgs(found.cmd, found.rest);
    if (parsed === 'help') {
      io.out(helpText(found.cmd));
      return 0;
    }
    return await found.cmd.run(parsed, io);
  } catch (e) {
    io.err(formatError(e) + '\n');
    if (io.env.REMORA_DEBUG && e instanceof Error && e.stack) io.err(e.stack + '\n');
    return 1;
  }
}
