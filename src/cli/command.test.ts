// The flag parser: values typed from the spec (checked by the compiler below), parsing rules and their one-line
// errors, help rendering, and every registered command's spec being consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../core/errors.js';
import { defineCommand, helpText, parseArgs, type ParsedArgs } from './command.js';
import { commands } from './registry.js';
import type { trainCommand } from './commands/train.js';
import type { controllerCommand } from './commands/controller.js';

/** Exact type equality (fails to compile when `A` and `B` differ, including optional vs `| undefined`). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<_T extends true>(): void {}

const demo = defineCommand({
  name: 'demo',
  summary: 'A command for the parser tests',
  usage: '--file <file> [flags]',
  flags: {
    steps: { type: 'integer', description: 'Steps', default: 200000 },
    rate: { type: 'number', description: 'Rate' },
    mode: { type: 'string', description: 'Mode', choices: ['a', 'b'], default: 'a' },
    kind: { type: 'string', description: 'Kind', choices: ['x', 'y'] },
    file: { type: 'string', description: 'File', required: true, placeholder: '<file>' },
    name: { type: 'string', description: 'Name' },
    json: { type: 'boolean', description: 'JSON' },
    'dry-run': { type: 'boolean', description: 'Dry run', default: false },
  },
  async run({ flags }) {
    assertType<Equal<typeof flags, {
      steps: number;
      rate: number | undefined;
      mode: 'a' | 'b';
      kind: 'x' | 'y' | undefined;
      file: string;
      name: string | undefined;
      json: boolean | undefined;
      'dry-run': boolean;
    }>>();
    return 0;
  },
});

test('flag types follow the specs of the real commands', () => {
  type TrainFlags = ParsedArgs<(typeof trainCommand)['flags']>['flags'];
  assertType<Equal<TrainFlags['agent'], 'dqn' | 'sarsa' | 'dagger' | undefined>>();
  assertType<Equal<TrainFlags['network'], 'lstm' | 'mlp' | 'node-seq' | undefined>>();
  assertType<Equal<TrainFlags['workers'], number>>();
  type ControllerFlags = ParsedArgs<(typeof controllerCommand)['flags']>['flags'];
  assertType<Equal<ControllerFlags['config'], string>>();
  assertType<Equal<ControllerFlags['log-level'], 'debug' | 'info' | 'warn' | 'error'>>();
  assertType<Equal<ControllerFlags['kubeconfig'], string | undefined>>();
});

function parse(argv: string[]) {
  const r = parseArgs(demo, argv);
  assert.notEqual(r, 'help');
  return r as Exclude<typeof r, 'help'>;
}

function fails(argv: string[], message: string): void {
  assert.throws(() => parseArgs(demo, argv), (e: unknown) => e instanceof InvalidInputError && e.message === message);
}

test('defaults, values, booleans and positionals', () => {
  assert.deepEqual(parse(['--file', 'f']), { flags: { steps: 200000, mode: 'a', 'dry-run': false, file: 'f' }, positionals: [], given: new Set(['file']) });
  const r = parse(['p1', '--steps=5', '--rate', '-0.5', '--mode', 'b', '--json', '--dry-run=false', '--file=', '-3', '--name', '--x']);
  assert.deepEqual(r.flags, { steps: 5, rate: -0.5, mode: 'b', json: true, 'dry-run': false, file: '', name: '--x' });
  assert.deepEqual(r.positionals, ['p1', '-3']);
  assert.equal(parse(['--file', 'f', '--json=0']).flags.json, false);
  assert.equal(parse(['--file', 'f', '--json=yes']).flags.json, true);
  assert.deepEqual(parse(['--file', 'f', '-xh', '-ab']).positionals, ['-xh', '-ab']);
  // A value equal to the default still counts as given, and a default alone does not: commands tell them apart.
  assert.deepEqual([...parse(['--file', 'f', '--steps', '200000']).given].sort(), ['file', 'steps']);
  assert.deepEqual([...r.given].sort(), ['dry-run', 'file', 'json', 'mode', 'name', 'rate', 'steps']);
});

test('--help or -h wins unless an earlier word is an error', () => {
  assert.equal(parseArgs(demo, ['--help']), 'help');
  assert.equal(parseArgs(demo, ['--steps', '3', '-h', '--bogus']), 'help');
  fails(['--steps', 'x', '--help'], 'remora demo: --steps: expected a finite integer, got "x"');
});

test('bad flags are one-line errors naming the flag, expected and actual', () => {
  const known = 'one of --steps, --rate, --mode, --kind, --file, --name, --json, --dry-run';
  fails(['--bogus', '1'], `remora demo: --bogus: expected ${known}, got an unknown flag`);
  fails(['--toString'], `remora demo: --toString: expected ${known}, got an unknown flag`);
  fails(['--', 'x'], `remora demo: --: expected ${known}, got an unknown flag`);
  fails(['--steps', '1.5'], 'remora demo: --steps: expected an integer, got 1.5');
  fails(['--steps', ' '], 'remora demo: --steps: expected a finite integer, got " "');
  fails(['--rate', 'Infinity'], 'remora demo: --rate: expected a finite number, got "Infinity"');
  fails(['--mode', 'c'], 'remora demo: --mode: expected one of a|b, got "c"');
  fails(['--kind=z'], 'remora demo: --kind: expected one of x|y, got "z"');
  fails(['--rate'], 'remora demo: --rate: expected a number value, got nothing');
  fails(['--steps', '3'], 'remora demo: --file: expected a value (this flag is required), got nothing');
});

test('help renders placeholders, choices and defaults', () => {
  assert.equal(helpText(demo), [
    'remora demo - A command for the parser tests',
    '',
    'Usage: remora demo --file <file> [flags]',
    '',
    'Flags:',
    '  --steps <integer>  Steps (default: 200000)',
    '  --rate <number>    Rate',
    '  --mode a|b         Mode (default: a)',
    '  --kind x|y         Kind',
    '  --file <file>      File',
    '  --name <string>    Name',
    '  --json             JSON',
    '  --dry-run          Dry run (default: false)',
    '  --help             Show this help',
    '',
  ].join('\n'));
});

test('every command\'s defaults have their flag\'s type and are among its choices', () => {
  for (const c of commands) {
    for (const [name, s] of Object.entries(c.flags)) {
      if (s.default === undefined) continue;
      const where = `${c.name} --${name}`;
      if (s.type === 'boolean') assert.equal(typeof s.default, 'boolean', where);
      else if (s.type === 'string') {
        assert.equal(typeof s.default, 'string', where);
        if (s.choices) assert.ok(s.choices.includes(s.default), where);
      } else assert.ok(s.type === 'number' || Number.isInteger(s.default), where);
      assert.ok(!s.required, `${where}: a default makes required meaningless`);
    }
  }
});
