/**
 * CPU accounting across a measured round: how much of a core the gateway (or baseline) used to
 * take the load, and how much the rest of the machine used meanwhile. On a 2-core box another
 * test run or compiler distorts latency more than anything the bench does, so a round during
 * which foreign processes were busy is flagged (bench/lib/processes.ts only checks before a round).
 */
import { readFileSync } from 'node:fs';

/** CPU time (user + system, all threads) a process has used so far, in seconds. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux.
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait). */
export function machineBusySeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return 0;
  }
}

export interface CpuSnapshot {
  at: number;
  machine: number;
  byPid: Map<number, number>;
}

export function cpuSnapshot(pids: number[]): CpuSnapshot {
  return { at: performance.now(), machine: machineBusySeconds(), byPid: new Map(pids.map((pid) => [pid, processCpuSeconds(pid) ?? 0])) };
}

export interface CpuUsage {
  seconds: number;
  /** Cores used per pid over the window. */
  coresByPid: Map<number, number>;
  /** Cores used by everything not in `pids` and not `extraCpuSeconds` (e.g. the load child's self-report). */
  foreignCores: number;
}

export function cpuSince(before: CpuSnapshot, extraCpuSeconds = 0): CpuUsage {
  const after = cpuSnapshot([...before.byPid.keys()]);
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const coresByPid = new Map<number, number>();
  let ours = extraCpuSeconds;
  for (const [pid, start] of before.byPid) {
    const used = Math.max(0, (after.byPid.get(pid) ?? start) - start);
    ours += used;
    coresByPid.set(pid, used / seconds);
  }
  return { seconds, coresByPid, foreignCores: Math.max(0, after.machine - before.machine - ours) / seconds };
}
