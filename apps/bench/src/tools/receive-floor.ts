/**
 * The floor of a Node receiving loop written as users write it (`for await (const [message] of socket)`),
 * with nothing behind it: an iterator whose `next()` returns an already-resolved promise of a fresh
 * `{ value: [message], done: false }`, giving way every 512 messages as our sockets do (socket-base.ts). Run
 * once with one shared Buffer ("loop") and once with a fresh Buffer view of a 64 KiB chunk per message
 * ("loop + view"), which is what any receiver handing out Buffers pays. No I/O, no decoding, no queue.
 *
 * usage: receive-floor <size> <messages>
 */
import { Buffer } from "node:buffer"
import { args, finish, now } from "../lib/child.js"

const [sizeText, messagesText] = args("receive-floor <size> <messages>", 2)
const size = Math.min(Number(sizeText), 65536)
const count = Number(messagesText)
const chunk = Buffer.alloc(65536 + size)
const PER_TURN = 512

function source(views: boolean): AsyncIterable<Buffer[]> {
  let given = 0
  let burst = 0
  let at = 0
  const iterator: AsyncIterator<Buffer[]> = {
    next: (): Promise<IteratorResult<Buffer[]>> => {
      if (given++ >= count) return Promise.resolve({ value: undefined, done: true })
      let message = chunk
      if (views) {
        at = at + size + 2 > 65536 ? 0 : at + size + 2
        message = Buffer.from(chunk.buffer, chunk.byteOffset + at, size)
      }
      const result = { value: [message], done: false }
      if (++burst < PER_TURN) return Promise.resolve(result)
      burst = 0
      return new Promise((resolve) => setImmediate(() => resolve(result)))
    },
  }
  return { [Symbol.asyncIterator]: () => iterator }
}

async function nsPerMessage(views: boolean): Promise<number> {
  const start = now()
  let seen = 0
  for await (const [message] of source(views)) {
    if (message!.length === 1) break
    seen++
  }
  return ((now() - start) * 1e9) / seen
}

// Warm both loops up, then measure each three times and keep the fastest.
await nsPerMessage(false)
await nsPerMessage(true)
const loop: number[] = []
const view: number[] = []
for (let i = 0; i < 3; i++) {
  loop.push(await nsPerMessage(false))
  view.push(await nsPerMessage(true))
}
await finish({ loopNs: Math.min(...loop), loopViewNs: Math.min(...view) })
