/**
 * Run before `npm test`: the approvals page is tested in a real headless Chromium, taken from the
 * system's packages (never a browser download). Installs Debian's `chromium` when missing and
 * allowed (root with apt-get); otherwise says what to install.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function present(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

if (!present(chromium)) {
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    console.log('[warden] installing Debian chromium for the browser tests (apt-get)');
    if (
      !run('apt-get', ['update', '-qq']) ||
      !run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'])
    ) {
      console.error('[warden] apt-get could not install chromium; install it, or set CHROMIUM_PATH');
      process.exit(1);
    }
  } else {
    console.error(
      `[warden] the browser tests need Chromium at ${chromium}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`,
    );
    process.exit(1);
  }
}
