import { Request, Poller, Reply } from "@zmq-ts/core"
const req = new Request({ linger: 0 })
req.connect("tcp://127.0.0.1:29999")
const t0 = performance.now()
const p = req.send("hello").then(() => console.log("sent", performance.now() - t0), (e) => console.log("send err", e.code))
const ready = await new Poller().add(req).poll(300)
console.log("poll", ready.length, performance.now() - t0)
const rep = new Reply(); await rep.bind("tcp://127.0.0.1:29999")
const [m] = await rep.receive(); console.log("rep got", m.toString(), performance.now() - t0)
await rep.send("world")
console.log("reply", (await req.receive()).toString())
req.close(); rep.close()
await p
