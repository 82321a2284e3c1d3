import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms) used so far by this process (all its threads: workflow threads, Temporal's core). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU time (ms) used so far by this process's children, e.g. the dev server a benchmark started;
 * with `command`, only the children whose command name is that (`temporal` for the dev server).
 * Linux only (from /proc); elsewhere NaN, and the benchmark prints no server column.
 */
export function childrenCpuMs(command?: string): number {
  let dirs: string[];
  try {
    dirs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return Number.NaN;
  }
  const tick = 10; // USER_HZ is 100 on Linux: one clock tick is 10 ms.
  let total = 0;
  for (const pid of dirs) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces): state, ppid, …, utime (14th), stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid) continue;
    if (command !== undefined && stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command)
      continue;
    total += (Number(fields[11]) + Number(fields[12])) * tick;
  }
  return total;
}
