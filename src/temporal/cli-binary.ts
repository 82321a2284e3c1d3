import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The Temporal CLI release whose `server start-dev` is Warden's local server (Temporal 1.29.1, UI 2.42.1). */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export class TemporalCliMissingError extends Error {
  override name = 'TemporalCliMissingError';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function goBinDir(): string | undefined {
  const result = spawnSync('go', ['env', 'GOBIN', 'GOPATH'], { encoding: 'utf8' });
  if (result.status !== 0 || result.error) return undefined;
  const [gobin, gopath] = result.stdout.split('\n').map((line) => line.trim());
  if (gobin) return gobin;
  if (gopath) return path.join(gopath.split(path.delimiter)[0] ?? gopath, 'bin');
  return undefined;
}

export function hasGoToolchain(): boolean {
  const result = spawnSync('go', ['version'], { encoding: 'utf8' });
  return result.status === 0 && !result.error;
}

/**
 * Finds a `temporal` binary: an explicit TEMPORAL_CLI_PATH, then PATH, then Go's bin directory
 * (where `go install` puts it). Returns undefined when there is none.
 */
export function findTemporalCli(explicitPath?: string): string | undefined {
  if (explicitPath !== undefined) {
    if (!isExecutable(explicitPath)) {
      throw new TemporalCliMissingError(`TEMPORAL_CLI_PATH=${explicitPath} is not an executable file`);
    }
    return explicitPath;
  }
  const candidates = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const goBin = goBinDir();
  if (goBin) candidates.push(goBin);
  candidates.push(path.join(process.env.HOME ?? '/root', 'go', 'bin'));
  for (const dir of candidates) {
    const file = path.join(dir, 'temporal');
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/**
 * Builds the Temporal CLI from the Go module proxy (no binary download), printing progress while
 * it compiles. The Go build cache makes a second run fast.
 */
export async function buildTemporalCli(log: (line: string) => void): Promise<string> {
  if (!hasGoToolchain()) {
    throw new TemporalCliMissingError(
      'no temporal binary and no Go toolchain: install Go (https://go.dev/dl), set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to an existing server',
    );
  }
  log(
    `building the Temporal CLI with Go (go install ${TEMPORAL_CLI_MODULE}); the first build takes a few minutes`,
  );
  const started = Date.now();
  const child = spawn('go', ['install', TEMPORAL_CLI_MODULE], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ticker = setInterval(() => {
    log(`  still building the Temporal CLI… ${Math.round((Date.now() - started) / 1000)}s`);
  }, 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(ticker);
  if (code !== 0) {
    const lastLine = stderr.trim().split('\n').pop() ?? `exit ${code}`;
    throw new TemporalCliMissingError(`go install ${TEMPORAL_CLI_MODULE} failed: ${lastLine}`);
  }
  const built = findTemporalCli();
  if (!built)
    throw new TemporalCliMissingError(
      'go install succeeded but no temporal binary was found in Go’s bin directory',
    );
  log(`Temporal CLI ready at ${built} (${Math.round((Date.now() - started) / 1000)}s)`);
  return built;
}

/** The binary if present, else a fresh build with Go. */
export async function ensureTemporalCli(log: (line: string) => void, explicitPath?: string): Promise<string> {
  return findTemporalCli(explicitPath) ?? (await buildTemporalCli(log));
}
