import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_DIR } from './example.ts';

const WARDEN_BIN = fileURLToPath(new URL('../../bin/warden.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `warden <args>` as a real child process and collects its output. */
export function runWarden(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  const child = spawnWarden(args, env);
  return collect(child, timeoutMs);
}

export function spawnWarden(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  // The CLI works on the example project unless a test names another (or none, with '').
  return spawn(process.execPath, [WARDEN_BIN, ...args], {
    env: { WARDEN_CONFIG: EXAMPLE_DIR, ...env },
    stdio: 'pipe',
  });
}

export function collect(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`warden did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves with everything printed so far once stdout contains `pattern`. */
export function waitForOutput(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; got: ${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(seen);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`warden exited (${code}) before printing ${pattern}; output: ${seen}`));
    });
  });
}
