/**
 * ws-chat's page (bundled and served by ../ws-chat.ts): a PUB and a SUB over the browser's WebSocket, bare
 * ZWS 2.0, to the broker's XSUB and XPUB. Every line is ["chat", nick, text].
 */
import { Publisher, Subscriber } from "@zmq-ts/core"

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
const ports = JSON.parse(element("ports").textContent ?? "{}") as { ws: number }
const host = location.hostname.includes(":") && !location.hostname.startsWith("[") ? `[${location.hostname}]` : location.hostname

const publisher = new Publisher()
publisher.connect(`ws://${host}:${ports.ws}/publish`)
const subscriber = new Subscriber()
subscriber.connect(`ws://${host}:${ports.ws}/subscribe`)
subscriber.subscribe("chat")

const nick = element<HTMLInputElement>("nick")
nick.value = `guest-${Math.floor(Math.random() * 1000)}`
const text = element<HTMLInputElement>("text")
const log = element<HTMLUListElement>("log")

element<HTMLFormElement>("say").addEventListener("submit", (event) => {
  event.preventDefault()
  if (text.value === "") return
  void publisher.send(["chat", nick.value, text.value])
  text.value = ""
})

//  What the SUB's monitor events say: the line shows whether the broker is there right now.
const status = element("status")
subscriber.events.on("handshake", () => (status.textContent = `connected to ${location.hostname}`))
subscriber.events.on("disconnect", () => (status.textContent = "disconnected: retrying…"))
const decoder = new TextDecoder()
for await (const [, from, line] of subscriber) {
  const item = document.createElement("li")
  item.textContent = `${decoder.decode(from)}: ${decoder.decode(line)}`
  log.append(item)
}
