/**
 * What Linux says about a process, read the same way for both servers: its resident set (VmRSS of
 * /proc/<pid>/status) and its CPU time (utime + stime of /proc/<pid>/stat: every thread, libzmq's I/O
 * thread and V8's collector threads included; or of /proc/<pid>/task/<pid>/stat, the main thread alone).
 */
import { readFileSync } from "node:fs"

/** USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100

export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  if (match === null) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}

/** CPU time of every thread of `pid`, or (`mainThread`) of its first thread only: Node's event loop, libzmq's application thread. */
export function cpuSeconds(pid: number, mainThread = false): number {
  const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8")
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}
