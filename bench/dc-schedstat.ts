// How the benchmark DC spent a measured interval: running on a CPU, or runnable but waiting for one (the machine
// is shared), read from the kernel's scheduler statistics of its process (/proc/PID/schedstat: time on a CPU and
// time waiting on a run queue, in ns, of the process's main thread). Samba's single process model serves every
// request in that one process, on one thread, so the rest of the interval the DC was idle: waiting for the next
// request. Null where the file is missing.
import { readFileSync } from 'node:fs';

export interface DcSched {
  /** On a CPU: serving this writer's requests, and any other client's. */
  busyMs: number;
  /** Runnable but waiting for a CPU taken by other processes. */
  cpuWaitMs: number;
}

export function readDcSched(pid: number): DcSched | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/schedstat`, 'utf8');
  } catch {
    return null;
  }
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (run === undefined || wait === undefined || !Number.isFinite(run) || !Number.isFinite(wait)) return null;
  return { busyMs: run / 1e6, cpuWaitMs: wait / 1e6 };
}

/** Starts measuring; the returned function gives what happened since (null when not measurable). */
export function measureDcSched(pid: number | null): () => DcSched | null {
  const start = pid === null ? null : readDcSched(pid);
  return () => {
    const end = start && pid !== null ? readDcSched(pid) : null;
    return start && end ? { busyMs: end.busyMs - start.busyMs, cpuWaitMs: end.cpuWaitMs - start.cpuWaitMs } : null;
  };
}
