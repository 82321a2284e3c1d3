import { type FSWatcher, watch } from 'node:fs';
import { FACTS_FILE } from './policy-loader.ts';
import type { Authorizer } from './types.ts';

export interface PolicyWatcher {
  close(): void;
}

export interface PolicyWatchOptions {
  /** Editors write a file in several steps: wait this long after the last change. */
  debounceMs?: number;
  /** One line per reload attempt. */
  report: (line: string) => void;
}

const isPolicyFile = (name: string | null) => name === null || name.endsWith('.polar') || name === FACTS_FILE;

/**
 * Reloads the authorizer's policy when a `.polar` file or the facts file of `dir` changes. A policy
 * that does not load is reported and the current one stays in force.
 */
export function watchPolicyDir(
  dir: string,
  authorizer: Authorizer,
  options: PolicyWatchOptions,
): PolicyWatcher {
  const debounceMs = options.debounceMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = async () => {
    try {
      const result = await authorizer.reloadPolicy();
      if (!closed) options.report(`policy reloaded: ${result.policyVersion} (${result.facts} facts)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!closed) options.report(`policy NOT reloaded, keeping ${authorizer.policyVersion()}: ${message}`);
    }
  };

  let watcher: FSWatcher;
  try {
    watcher = watch(dir, (_event, name) => {
      if (closed || !isPolicyFile(typeof name === 'string' ? name : null)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), debounceMs);
    });
  } catch (error) {
    options.report(`policy NOT watched (${(error as Error).message}); restart to pick up changes`);
    return { close() {} };
  }
  watcher.on('error', (error) => {
    if (!closed) options.report(`policy NOT watched any more (${error.message}); restart to pick up changes`);
  });

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
