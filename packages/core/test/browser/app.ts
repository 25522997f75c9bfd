/**
 * A browser app as a user writes one: it imports "@zmq-ts/core" and nothing else, and is bundled for the
 * browser (bundle-browser-app.ts). It puts its scenarios on `globalThis.zmqBrowserApp` for whoever drives
 * the page: the Node tests here (in a sandbox with only browser globals) and the Chromium suite.
 */
import { capability, Dealer, Pull, Push, Reply, Request, Subscriber, ZmqError } from "@zmq-ts/core"

const text = (frame: Uint8Array): string => new TextDecoder().decode(frame)

/** Every event of `socket` so far, by type, for the assertions about monitor events. */
function recordEvents(socket: Request | Dealer | Subscriber | Pull): string[] {
  const seen: string[] = []
  socket.events.on("connect", () => seen.push("connect"))
  socket.events.on("handshake", () => seen.push("handshake"))
  socket.events.on("disconnect", () => seen.push("disconnect"))
  socket.events.on("close", () => seen.push("close"))
  return seen
}

export interface Outcome<T> {
  readonly result: T
  readonly events: readonly string[]
}

/** REQ → REP: `count` requests "hello <i>", the replies as text. */
async function reqRep(url: string, count: number, timeout = 5000): Promise<Outcome<string[]>> {
  const request = new Request({ receiveTimeout: timeout })
  const events = recordEvents(request)
  try {
    request.connect(url)
    const replies: string[] = []
    for (let i = 0; i < count; i++) {
      await request.send(`hello ${i}`)
      const [reply] = await request.receive()
      replies.push(text(reply!))
    }
    return { result: replies, events }
  } finally {
    request.close()
  }
}

/** SUB ← PUB: the first `count` messages on `topic`, as [topic, body] text pairs. */
async function subscribe(url: string, topic: string, count: number): Promise<Outcome<string[][]>> {
  const subscriber = new Subscriber({ receiveTimeout: 5000 })
  const events = recordEvents(subscriber)
  try {
    subscriber.connect(url)
    subscriber.subscribe(topic)
    const received: string[][] = []
    while (received.length < count) {
      const frames = await subscriber.receive()
      received.push(frames.map(text))
    }
    return { result: received, events }
  } finally {
    subscriber.close()
  }
}

/** DEALER ↔ ROUTER: with routing id `id`, sends each message (frames), returns what comes back. */
async function dealer(url: string, id: string, messages: string[][]): Promise<Outcome<string[][]>> {
  const socket = new Dealer({ routingId: id, receiveTimeout: 5000 })
  const events = recordEvents(socket)
  try {
    socket.connect(url)
    const replies: string[][] = []
    for (const message of messages) {
      await socket.send(message)
      replies.push((await socket.receive()).map(text))
    }
    return { result: replies, events }
  } finally {
    socket.close()
  }
}

export interface PullOptions {
  readonly receiveHighWaterMark?: number
  readonly maxMessageSize?: number
  /** Wait this long (ms) before each read, a slow page. */
  readonly readDelay?: number
}

/** PULL ← PUSH: the first `count` messages (one frame each, as text), read as slowly as asked. */
async function pull(url: string, count: number, options: PullOptions = {}): Promise<Outcome<string[]>> {
  const socket = new Pull({ receiveTimeout: 10_000, ...options.receiveHighWaterMark === undefined ? {} : { receiveHighWaterMark: options.receiveHighWaterMark }, ...options.maxMessageSize === undefined ? {} : { maxMessageSize: options.maxMessageSize } })
  const events = recordEvents(socket)
  try {
    socket.connect(url)
    const received: string[] = []
    while (received.length < count) {
      if (options.readDelay !== undefined) await new Promise((resolve) => setTimeout(resolve, options.readDelay))
      const [frame] = await socket.receive()
      received.push(text(frame!))
    }
    return { result: received, events }
  } finally {
    socket.close()
  }
}

/** REQ → REP with one request of `size` bytes; the reply's length and whether each byte came back. */
async function largeRequest(url: string, size: number): Promise<Outcome<{ length: number; intact: boolean }>> {
  const request = new Request({ receiveTimeout: 10_000 })
  const events = recordEvents(request)
  try {
    request.connect(url)
    const body = new Uint8Array(size)
    for (let i = 0; i < size; i++) body[i] = (i * 7) & 0xff
    await request.send(body)
    const [reply] = await request.receive()
    let intact = reply!.length === size
    for (let i = 0; intact && i < size; i++) intact = reply![i] === ((i * 7) & 0xff)
    return { result: { length: reply!.length, intact }, events }
  } finally {
    request.close()
  }
}

/** What a page cannot do, each as the error code and message core throws (or "no error"). */
async function refusals(): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const attempt = async (name: string, action: () => unknown): Promise<void> => {
    try {
      await action()
      out[name] = "no error"
    } catch (error) {
      // zeromq.js's message is the code's (libzmq's strerror); what went wrong is in `details`.
      out[name] = error instanceof ZmqError ? `${error.code}: ${String((error as ZmqError & { details?: string }).details)}` : `not a ZmqError: ${String(error)}`
    }
  }
  const reply = new Reply()
  await attempt("bind ws", () => reply.bind("ws://127.0.0.1:5555"))
  await attempt("connect tcp", () => reply.connect("tcp://127.0.0.1:5555"))
  await attempt("connect ipc", () => reply.connect("ipc:///tmp/x"))
  reply.close()
  const curve = new Request({ curveServerKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", curvePublicKey: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", curveSecretKey: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs" })
  await attempt("connect ws with CURVE", () => curve.connect("ws://127.0.0.1:5555"))
  curve.close()
  const plain = new Request({ plainUsername: "admin", plainPassword: "secret" })
  await attempt("connect ws with PLAIN", () => plain.connect("ws://127.0.0.1:5555"))
  plain.close()
  return out
}

/** inproc between the page's own sockets: PUSH → PULL, `count` messages. */
async function inproc(count: number): Promise<number> {
  const pull = new Pull()
  const push = new Push()
  try {
    await pull.bind("inproc://page")
    push.connect("inproc://page")
    for (let i = 0; i < count; i++) await push.send(String(i))
    let received = 0
    for (; received < count; received++) {
      const [frame] = await pull.receive()
      if (text(frame!) !== String(received)) throw new Error(`inproc: message ${received} was ${text(frame!)}`)
    }
    return received
  } finally {
    push.close()
    pull.close()
  }
}

export const zmqBrowserApp = { reqRep, subscribe, dealer, pull, largeRequest, refusals, inproc, capability }
;(globalThis as { zmqBrowserApp?: typeof zmqBrowserApp }).zmqBrowserApp = zmqBrowserApp
