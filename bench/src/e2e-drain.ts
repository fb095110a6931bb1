import type { Admin } from 'kafkajs';
import {
  type Child,
  committedTotal,
  coresUsed,
  cpuPerRecord,
  cpuSample,
  processMemory,
  sleep,
  stackPids,
} from './real-stack.js';

/** How often the group's committed offsets are polled. */
export const POLL_MS = 100;
/** How often the measured processes' memory (/proc/<pid>/status) is sampled while they drain. */
const MEMORY_SAMPLE_MS = 1_000;

export interface Drain {
  readonly rate: number;
  readonly complete: boolean;
  /** From starting the children to the first commit seen (process start, connections, group join). */
  readonly startupSeconds: number;
  /** From the first commit seen to the last record committed. */
  readonly drainSeconds: number;
  readonly wallSeconds: number;
  readonly consumed: number;
  /** Cores each process group kept busy while draining (Linux /proc): where the machine's two cores went. */
  readonly cores: Record<string, number>;
  /**
   * CPU seconds (utime + stime, /proc) each process group used while draining (`measured`: all the
   * measured children together; `cassandra`, `kafka`: the stack's servers; `bench`: this process), and
   * the same per RSVP drained, in µs.
   */
  readonly cpuSeconds: Record<string, number>;
  readonly cpuMicrosPerRsvp: Record<string, number>;
  /**
   * Memory of each measured child, sampled every second from /proc/<pid>/status: its largest VmRSS seen
   * and its VmHWM (the kernel's peak resident set: between samples too) at the end of the drain, in MB.
   */
  readonly memoryMb: readonly { readonly name: string; readonly maxRss: number; readonly peak: number }[];
}

/**
 * Polls the group's committed offsets every 100 ms until they reach the topic's end. The rate is over the
 * records committed between the first poll that saw a commit and the poll that saw the end, so that
 * process start-up and the group join (reported apart) do not count, for the subject and the yardstick alike.
 */
export async function measureDrain(
  admin: Admin,
  group: string,
  topic: string,
  total: number,
  startedAt: number,
  timeoutMs: number,
  children: readonly Child[],
): Promise<Drain> {
  const pids = stackPids();
  const groups = () => ({
    measured: children.map((child) => child.process.pid ?? 0),
    kafka: pids.kafka ? [pids.kafka] : [],
    cassandra: pids.cassandra ? [pids.cassandra] : [],
    bench: [process.pid],
  });
  let first: { at: number; value: number } | undefined;
  let cpuFrom = cpuSample(groups());
  const memory = children.map((child) => ({ name: child.name, maxRss: 0, peak: 0 }));
  let memoryAt = 0;
  const sampleMemory = () => {
    memoryAt = performance.now();
    children.forEach((child, i) => {
      const now = child.process.pid ? processMemory(child.process.pid) : undefined;
      const entry = memory[i];
      if (now && entry) {
        entry.maxRss = Math.max(entry.maxRss, Math.round(now.rss / 2 ** 20));
        entry.peak = Math.max(entry.peak, Math.round(now.peak / 2 ** 20));
      }
    });
  };
  for (;;) {
    const value = await committedTotal(admin, group, topic);
    const at = performance.now();
    if (value > 0 && first === undefined) {
      first = { at, value };
      cpuFrom = cpuSample(groups());
    }
    if (at - memoryAt >= MEMORY_SAMPLE_MS) sampleMemory();
    const timedOut = at - startedAt > timeoutMs;
    if (value >= total || timedOut) {
      const from = first && first.at < at ? first : { at: startedAt, value: 0 };
      const cpuTo = cpuSample(groups());
      sampleMemory();
      const cpu = cpuPerRecord(cpuFrom, cpuTo, value - from.value);
      return {
        rate: (value - from.value) / ((at - from.at) / 1000),
        complete: value >= total,
        startupSeconds: ((first?.at ?? at) - startedAt) / 1000,
        drainSeconds: (at - from.at) / 1000,
        wallSeconds: (at - startedAt) / 1000,
        consumed: value,
        cores: coresUsed(cpuFrom, cpuTo),
        cpuSeconds: cpu.seconds,
        cpuMicrosPerRsvp: cpu.microsPerRecord,
        memoryMb: memory,
      };
    }
    const dead = children.find((child) => child.process.exitCode !== null || child.process.signalCode !== null);
    if (dead) {
      throw new Error(`${dead.name} exited (${dead.process.exitCode ?? dead.process.signalCode}):\n${dead.stderr()}`);
    }
    await sleep(POLL_MS);
  }
}
