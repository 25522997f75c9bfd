/**
 * flclient1 — the Guide, chapter 4, "Model One: Simple Retry and Failover" (flclient1.c): Lazy Pirate over
 * one or more echo servers given as arguments. Each try is a fresh REQ socket that waits REQUEST_TIMEOUT
 * (1 s) for the reply. With one endpoint it retries up to MAX_RETRIES (3) times; with several it tries each
 * at most once, in order, until one answers.
 *
 *   flclient1 tcp://localhost:5555 tcp://localhost:5556 ──REQ──▶ flserver1 (REP echo) × n
 *
 * Prints "Service is running OK" once a server answered. ZMQ_TS_EXAMPLE_SPEED=n makes the timeout n times
 * shorter (tests use it).
 */
import { context, Poller, Request, type Context, type Message } from "@zmq-ts/core"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1
const REQUEST_TIMEOUT = 1000 / SPEED
const MAX_RETRIES = 3 //  Before we abandon

async function s_try_request(ctx: Context, endpoint: string, request: string[]): Promise<Message[] | undefined> {
  console.log(`I: trying echo service at ${endpoint}...`)
  const client = new Request({ context: ctx, linger: 0 })
  client.connect(endpoint)

  //  Send request, wait safely for reply
  await client.send(request)
  const items = await new Poller().add(client).poll(REQUEST_TIMEOUT)
  let reply: Message[] | undefined
  if (items.length > 0) reply = await client.receive()

  //  Close socket in any case, we're done with it now
  client.close()
  return reply
}

//  The client uses a Lazy Pirate strategy if it only has one server to talk
//  to. If it has two or more servers to talk to, it will try each server just
//  once:
const ctx = context
const request = ["Hello world"]
let reply: Message[] | undefined

const endpoints = process.argv.slice(2)
if (endpoints.length === 0) console.log("I: syntax: flclient1 <endpoint> ...")
else if (endpoints.length === 1) {
  //  For one endpoint, we retry N times
  const endpoint = endpoints[0]!
  for (let retries = 0; retries < MAX_RETRIES; retries++) {
    reply = await s_try_request(ctx, endpoint, request)
    if (reply !== undefined) break //  Successful
    console.log(`W: no response from ${endpoint}, retrying...`)
  }
} else {
  //  For multiple endpoints, try each at most once
  for (const endpoint of endpoints) {
    reply = await s_try_request(ctx, endpoint, request)
    if (reply !== undefined) break //  Successful
    console.log(`W: no response from ${endpoint}`)
  }
}
if (reply !== undefined) console.log("Service is running OK")
