/**
 * The suite's page: an app that imports "@zmq-ts/core" (its browser entry, through the bundler's `browser`
 * condition) and runs one socket pattern per call against whatever ws:// or wss:// server the test names.
 * Every call closes its sockets before it returns, and gives up after receiveTimeout rather than hang.
 */
import { Dealer, Request, Subscriber } from "@zmq-ts/core"

export interface SocketsPage {
  /** REQ: sends ["hello", 70 000 bytes] and returns [first reply frame as text, second frame's length]. */
  reqRep(endpoint: string): Promise<string[]>
  /** SUB subscribed to "top": the topics of the first three messages received. */
  pubSub(endpoint: string): Promise<string[]>
  /** DEALER: sends ["hi", "there"], returns the reply's frames as text. */
  dealerRouter(endpoint: string): Promise<string[]>
  /**
   * SUB with maxMessageSize 1000 subscribed to everything: the monitor events seen until the first
   * disconnect, then "received N" for the messages that got through.
   */
  tooLarge(endpoint: string): Promise<string[]>
  /** A DEALER connecting for `ms`: the distinct monitor event types it saw, in order of first sight. */
  connectEvents(endpoint: string, ms: number): Promise<string[]>
}

const EVENT_TYPES = ["connect", "connect:delay", "connect:retry", "handshake", "handshake:error:protocol", "handshake:error:auth", "handshake:error:other", "disconnect"] as const

declare global {
  var zmqSockets: SocketsPage
}

const TIMEOUT = 5000
const decoder = new TextDecoder()
const text = (frame: Uint8Array): string => decoder.decode(frame)

globalThis.zmqSockets = {
  async reqRep(endpoint) {
    const req = new Request({ receiveTimeout: TIMEOUT, sendTimeout: TIMEOUT })
    try {
      req.connect(endpoint)
      await req.send(["hello", new Uint8Array(70_000).fill(7)])
      const [first, second] = await req.receive()
      return [text(first!), String(second!.byteLength)]
    } finally {
      req.close()
    }
  },

  async pubSub(endpoint) {
    const sub = new Subscriber({ receiveTimeout: TIMEOUT })
    try {
      sub.connect(endpoint)
      sub.subscribe("top")
      const topics: string[] = []
      while (topics.length < 3) topics.push(text((await sub.receive())[0]!))
      return topics
    } finally {
      sub.close()
    }
  },

  async dealerRouter(endpoint) {
    const dealer = new Dealer({ receiveTimeout: TIMEOUT, sendTimeout: TIMEOUT })
    try {
      dealer.connect(endpoint)
      await dealer.send(["hi", "there"])
      return (await dealer.receive()).map(text)
    } finally {
      dealer.close()
    }
  },

  async tooLarge(endpoint) {
    const sub = new Subscriber({ maxMessageSize: 1000, receiveTimeout: TIMEOUT })
    try {
      const seen: string[] = []
      const disconnected = new Promise<void>((resolve) => {
        for (const type of ["connect", "handshake", "disconnect"] as const) {
          sub.events.on(type, () => {
            seen.push(type)
            if (type === "disconnect") resolve()
          })
        }
      })
      let received = 0
      void (async () => {
        for (;;) {
          await sub.receive()
          received++
        }
      })().catch(() => {})
      sub.connect(endpoint)
      sub.subscribe()
      await Promise.race([disconnected, new Promise((resolve) => setTimeout(resolve, TIMEOUT))])
      return [...seen, `received ${received}`]
    } finally {
      sub.close()
    }
  },

  async connectEvents(endpoint, ms) {
    const dealer = new Dealer()
    try {
      const seen: string[] = []
      for (const type of EVENT_TYPES) dealer.events.on(type, () => seen.includes(type) || seen.push(type))
      dealer.connect(endpoint)
      await new Promise((resolve) => setTimeout(resolve, ms))
      return seen
    } finally {
      dealer.close()
    }
  },
}
