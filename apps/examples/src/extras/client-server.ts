/**
 * client-server: the draft CLIENT and SERVER sockets (RFC 41), in one process over tcp. Three clients ask;
 * the server answers each by the numeric routing id its request came with. Exits 0.
 */
import { Client, Server } from "@zmq-ts/core/draft"

const server = new Server()
await server.bind("tcp://127.0.0.1:*")

const clients = ["alice", "bob", "carol"].map((name) => {
  const client = new Client()
  client.connect(server.lastEndpoint!)
  return { name, client }
})
for (const { name, client } of clients) await client.send(`hello from ${name}`)

for (let i = 0; i < clients.length; i++) {
  const [request, { routingId }] = await server.receive()
  const name = request.toString().replace("hello from ", "")
  await server.send(`hello ${name}, you are peer ${routingId}`, { routingId })
}
for (const { name, client } of clients) {
  const [reply] = await client.receive()
  console.log(`${name} got: ${reply!.toString().replace(/peer \d+/, "peer N")}`)
}

for (const socket of [server, ...clients.map(({ client }) => client)]) socket.close()
