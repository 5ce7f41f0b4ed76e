/** The list of CLI commands. Add a command by importing it here. */
import type { Command } from './command.js';
import { benchEnvCommand } from './commands/bench-env.js';
import { benchFleetCommand } from './commands/bench-fleet.js';
import { controllerCommand } from './commands/controller.js';
import { dashboardCommand } from './commands/dashboard.js';
import { compareCommand, evaluateCommand } from './commands/evaluate.js';
import { envServeCommand } from './commands/env-serve.js';
import { reproduceCommand } from './commands/reproduce.js';
import { scenarioShowCommand } from './commands/scenario-show.js';
import { scenarioValidateCommand } from './commands/scenario-validate.js';
import { simulateCommand } from './commands/simulate.js';
import { trainCommand } from './commands/train.js';
import { exportCommand } from './commands/export.js';
import { benchTrainCommand } from './commands/bench-train.js';
import { benchControllerCommand } from './commands/bench-controller.js';
import { sweepCommand } from './commands/sweep.js';
import { labDownCommand, labRunCommand, labStatusCommand, labUpCommand } from './commands/lab.js';
import { probeCommand } from './commands/probe.js';

export const commands: readonly Command[] = [
  reproduceCommand,
  simulateCommand, scenarioShowCommand, scenarioValidateCommand, evaluateCommand, compareCommand, dashboardCommand, benchEnvCommand, benchFleetCommand, envServeCommand, controllerCommand, trainCommand, exportCommand, benchTrainCommand, benchControllerCommand, sweepCommand, labUpCommand, labDownCommand, labStatusCommand, labRunCommand, probeCommand];
