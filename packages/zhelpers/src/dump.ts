import type { Socket } from "@zmq-ts/core"
import { pendingReceives } from "./message-parts.js"

/** How s_dump shows one frame: as text when every byte is printable ASCII, else as uppercase hex. */
export function formatFrame(frame: Buffer): string {
  let text = true
  for (const byte of frame) {
    if (byte < 32 || byte > 127) {
      text = false
      break
    }
  }
  const size = String(frame.length).padStart(3, "0")
  return `[${size}] ${text ? frame.toString("latin1") : frame.toString("hex").toUpperCase()}`
}

/** s_dump: receives one whole message and prints its frames, as the Guide's C helper does. */
export async function s_dump(socket: Socket, write: (line: string) => void = (line) => console.log(line)): Promise<Buffer[]> {
  const rest = pendingReceives.get(socket)
  pendingReceives.delete(socket)
  const frames = rest !== undefined && rest.length > 0 ? rest : await socket.receive()
  write("----------------------------------------")
  for (const frame of frames) write(formatFrame(frame))
  return frames
}
