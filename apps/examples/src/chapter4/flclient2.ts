/**
 * flclient2 — the Guide, chapter 4, "Model Two: Brutal Shotgun Massacre" (flclient2.c): a DEALER connected
 * to every server given as an argument blasts each request to all of them (as many copies as servers; the
 * DEALER deals one to each connected server) and takes the first reply whose sequence number matches,
 * dropping the others. It gives up ("E: name service not available, aborting") when no reply comes within
 * GLOBAL_TIMEOUT (2.5 s).
 *
 *   flclient2 tcp://localhost:5555 tcp://localhost:5556 ──DEALER──▶ flserver2 (REP, [seq, "OK"]) × n
 *
 * Sends 10,000 "random name" requests and prints "Average round trip cost: %d usec".
 * ZMQ_TS_REQUESTS=n sends n requests instead (tests use it).
 */
import { Dealer, Poller, type Message } from "@zmq-ts/core"

const REQUESTS = Number(process.env.ZMQ_TS_REQUESTS ?? 10_000) || 10_000
//  If not a single service replies within this time, give up
const GLOBAL_TIMEOUT = 2500

//  The Guide designs the client as a class, in the CZMQ style: a DEALER socket, how many servers it is
//  connected to, and a request sequence number.
class FlClient {
  readonly socket = new Dealer({ linger: 0 }) //  DEALER socket talking to servers
  servers = 0 //  How many servers we have connected to
  sequence = 0 //  Number of requests ever sent

  //  Connect to new server endpoint
  connect(endpoint: string): void {
    this.socket.connect(endpoint)
    this.servers++
  }

  //  This method does the hard work. It sends a request to all connected servers in parallel (for this to
  //  work, all connections must be successful and completed by this time). It then waits for a single
  //  successful reply, and returns that to the caller. Any other replies are just dropped:
  async request(body: string): Promise<Message[] | undefined> {
    //  Prefix request with sequence number and empty envelope
    const request = ["", String(++this.sequence), body]

    //  Blast the request to all connected servers
    for (let server = 0; server < this.servers; server++) await this.socket.send(request)

    //  Wait for a matching reply to arrive from anywhere
    //  Since we can poll several times, calculate each one
    const poller = new Poller().add(this.socket)
    const endtime = performance.now() + GLOBAL_TIMEOUT
    while (performance.now() < endtime) {
      const items = await poller.poll(Math.max(1, Math.ceil(endtime - performance.now())))
      if (items.length > 0) {
        //  Reply is [empty][sequence][OK]
        const reply = await this.socket.receive()
        if (reply.length !== 3) throw new Error(`E: expected [empty, sequence, OK], got ${reply.length} frames`)
        if (Number(reply[1]!.toString()) === this.sequence) return reply.slice(2)
      }
    }
    return undefined
  }

  destroy(): void {
    this.socket.close()
  }
}

const endpoints = process.argv.slice(2)
if (endpoints.length === 0) {
  console.log("I: syntax: flclient2 <endpoint> ...")
  process.exit(0)
}
//  Create new freelance client object
const client = new FlClient()

//  Connect to each endpoint
for (const endpoint of endpoints) client.connect(endpoint)

//  Send a bunch of name resolution 'requests', measure time
const start = performance.now()
let done = 0
for (; done < REQUESTS; done++) {
  const reply = await client.request("random name")
  if (reply === undefined) {
    console.log("E: name service not available, aborting")
    break
  }
}
console.log(`Average round trip cost: ${Math.trunc(((performance.now() - start) * 1000) / Math.max(1, done))} usec`)

client.destroy()
