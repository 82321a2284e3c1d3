import { Command, CommanderError } from 'commander';
import { packageVersion } from '../config/version.ts';
import { commands } from './commands/index.ts';
import { describeError, exitCodeOf } from './errors.ts';

/** Builds the `warden` program; each command lives in its own module under cli/commands. */
export function buildProgram(): Command {
  const program = new Command('warden')
    .description('Zero Trust runtime for AI agents: durable runs, authorized tool calls, verified approvals')
    .version(packageVersion(), '-V, --version')
    .option(
      '--config <path>',
      'the project: a warden.config.ts, or its directory (default: found from the working directory up; WARDEN_CONFIG)',
    )
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (command) => {
      // Every command reads the project through WARDEN_CONFIG, so the option reaches them all.
      const config = command.opts<{ config?: string }>().config;
      if (config !== undefined) process.env.WARDEN_CONFIG = config;
    });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`warden: ${describeError(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
