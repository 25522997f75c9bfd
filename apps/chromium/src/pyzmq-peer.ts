/**
 * Debian's libzmq 4.3.4 as a ws:// server (python3-zmq; `.ci/run` installs it): fixtures/pyzmq-ws-peer.py,
 * spawned per test and killed (by its PID) after it, pass or fail.
 */
import { spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterThisTest } from "./cleanup.js"

const PYTHON = "/usr/bin/python3"
const PEER = fileURLToPath(new URL("../fixtures/pyzmq-ws-peer.py", import.meta.url))

/** Throws unless Debian's pyzmq is installed with ws:// in its libzmq (4.3.4: "WS" yes, "WSS" no). */
export function requirePyzmqWs(): void {
  if (spawnSync(PYTHON, ["-c", "import zmq, sys; sys.exit(0 if zmq.has('WS') else 1)"]).status !== 0) {
    throw new Error(`${PYTHON} has no pyzmq with ws://: apt-get install -y python3-zmq (.ci/run does)`)
  }
}

/** Starts `role` bound at `endpoint` (e.g. ws://127.0.0.1 with port "*") and resolves with its real endpoint. */
export function pyzmqServer(role: "bind-rep" | "bind-pub" | "bind-router" | "bind-big", endpoint: string): Promise<string> {
  requirePyzmqWs()
  const child = spawn(PYTHON, [PEER, role, endpoint], { stdio: ["ignore", "pipe", "pipe"] })
  afterThisTest(() => child.kill("SIGKILL"))
  let stdout = ""
  let stderr = ""
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pyzmq ${role}: no endpoint within 8 s; stdout ${stdout}, stderr ${stderr}`)), 8000)
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /^endpoint (\S+)$/m.exec(stdout)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`pyzmq ${role} exited ${code}: ${stderr}`))
    })
  })
}
