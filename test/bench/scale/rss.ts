/**
 * Peak resident memory of the engine's child processes, sampled from /proc while a command runs:
 * the Pulumi program (node running @pulumi/pulumi's cmd/run) and the dynamic-provider process
 * (cmd/dynamic-provider). VmHWM is the kernel's own high-water mark of each process, so a short
 * peak between two samples is still seen as long as the process is alive at a later sample.
 */
import * as fs from "fs";

export interface PeakRss {
  programMiB: number;
  providerMiB: number;
}

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = byParent.get(ppid) ?? [];
      list.push(Number(entry));
      byParent.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  return byParent;
}

function descendants(root: number): number[] {
  const byParent = children();
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    for (const c of byParent.get(todo.pop() as number) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

function hwmMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Samples every `everyMs` until the returned stop() is called; stop() gives the peaks seen. */
export function sampleRss(everyMs = 200): () => PeakRss {
  const peak: PeakRss = { programMiB: 0, providerMiB: 0 };
  const sample = (): void => {
    for (const pid of descendants(process.pid)) {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (cmd.includes("dynamic-provider")) peak.providerMiB = Math.max(peak.providerMiB, hwmMiB(pid));
        else if (/cmd[/\\]run/.test(cmd)) peak.programMiB = Math.max(peak.programMiB, hwmMiB(pid));
      } catch {
        // ended
      }
    }
  };
  const timer = setInterval(sample, everyMs);
  return () => {
    sample();
    clearInterval(timer);
    return peak;
  };
}
