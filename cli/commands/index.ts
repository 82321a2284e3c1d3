import type { Command } from 'commander';
import { registerDev } from './dev.ts';
import { registerDoctor } from './doctor.ts';
import { registerPolicy } from './policy.ts';

/** Every `warden` sub-command, in the order `warden --help` lists them. */
export const commands: Array<(program: Command) => void> = [registerDev, registerDoctor, registerPolicy];
