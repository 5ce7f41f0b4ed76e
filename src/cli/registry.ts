/** The list of CLI commands. Add a command by importing it here. */
import type { Command } from './command.js';

export const commands: readonly Command[] = [];
