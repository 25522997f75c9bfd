/**
 * bstarcli — the Guide, chapter 4, "Binary Star Implementation" (bstarcli.c): the Binary Star client. A Lazy
 * Pirate client that fails over between the primary (tcp://localhost:5001) and the backup
 * (tcp://localhost:5002): one request a second, and on no reply within REQUEST_TIMEOUT it closes its socket,
 * waits SETTLE_DELAY (longer than the servers' failover time) and asks the other server. Its requests are the
 * client votes that make a passive server take over.
 *
 * ZMQ_TS_EXAMPLE_SPEED=n makes its timings n times shorter; ZMQ_TS_BSTAR_REQUESTS=n stops it after n replies.
 */
import { Poller, Request } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted, s_sleep } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1
const REQUEST_TIMEOUT = 1000 / SPEED //  msecs
const SETTLE_DELAY = 2000 / SPEED //  Before failing over
const MAX_REQUESTS = Number(process.env.ZMQ_TS_BSTAR_REQUESTS ?? 0) || Infinity

const server = ["tcp://localhost:5001", "tcp://localhost:5002"]
let server_nbr = 0

s_catch_signals()
console.log(`I: connecting to server at ${server[server_nbr]}...`)
let client = new Request({ linger: 0 })
client.connect(server[server_nbr]!)

let sequence = 0
try {
  while (!s_interrupted && sequence < MAX_REQUESTS) {
    //  We send a request, then we work to get a reply
    const request = String(++sequence)
    await client.send(request)

    let expect_reply = true
    while (expect_reply) {
      //  Poll socket for a reply, with timeout
      const ready = await new Poller().add(client).poll(REQUEST_TIMEOUT)
      //  We use a Lazy Pirate strategy in the client. If there's no reply within our timeout, we close the
      //  socket and try again. In Binary Star, it's the client vote that decides which server is primary;
      //  the client must therefore try to connect to each server in turn:
      if (ready.length > 0) {
        //  We got a reply from the server, must match sequence
        const [reply] = await client.receive()
        if (Number(reply!.toString()) === sequence) {
          console.log(`I: server replied OK (${reply!.toString()})`)
          expect_reply = false
          await s_sleep(1000 / SPEED) //  One request per second
        } else console.log(`E: bad reply from server: ${reply!.toString()}`)
      } else {
        console.log("W: no response from server, failing over")
        //  Old socket is confused; close it and open a new one
        client.close()
        server_nbr = (server_nbr + 1) % 2
        await s_sleep(SETTLE_DELAY)
        console.log(`I: connecting to server at ${server[server_nbr]}...`)
        client = new Request({ linger: 0 })
        client.connect(server[server_nbr]!)
        //  Send request again, on new socket
        await client.send(request)
      }
    }
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
client.close()
