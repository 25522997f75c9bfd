/**
 * http-stream end to end: the example runs as its own process (as `pnpm example http-stream` runs it), on a
 * port the OS picks, and Node's own `http` client talks to it: concurrent GETs, a request whose headers
 * come in pieces, then Ctrl-C ends it with exit 0.
 */
import { get, type IncomingMessage } from "node:http"
import { connect } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { startExample, stopAll } from "./helpers/spawn-example.js"

afterEach(async () => {
  await stopAll()
})

function httpGet(url: string): Promise<{ response: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resolve({ response, body }))
      response.on("error", reject)
    })
    request.on("error", reject)
  })
}

describe("http-stream (a raw HTTP server on a STREAM socket)", () => {
  it("answers Node's http client, several at once and a request in pieces, then exits 0 on Ctrl-C", async () => {
    const server = startExample("http-stream", ["tcp://127.0.0.1:*"])
    const line = await server.waitFor(/^HTTP server on tcp:\/\/127\.0\.0\.1:\d+$/)
    const port = Number(line.slice(line.lastIndexOf(":") + 1))

    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => httpGet(`http://127.0.0.1:${port}/page/${n}`)))
    for (const { response, body } of answers) {
      expect(response.statusCode).toBe(200)
      expect(response.headers["content-type"]).toBe("text/plain")
      expect(body).toBe("Hello, World!")
    }

    // Headers split over writes: the server gathers them per connection up to the blank line.
    const raw = connect(port, "127.0.0.1")
    let reply = ""
    raw.setEncoding("latin1")
    raw.on("data", (chunk: string) => (reply += chunk))
    const closed = new Promise<void>((resolve) => raw.once("close", () => resolve()))
    raw.write("GET /slow HTTP/1.1\r\n")
    await new Promise((resolve) => setTimeout(resolve, 20))
    raw.write("Host: localhost\r\n")
    await new Promise((resolve) => setTimeout(resolve, 20))
    raw.write("\r\n")
    await closed
    expect(reply).toBe("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello, World!")

    await server.waitForCount(/^Request: GET /, 6)
    expect(server.lines.filter((printed) => printed.startsWith("Request: ")).sort()).toEqual(
      [...[1, 2, 3, 4, 5].map((n) => `Request: GET /page/${n} HTTP/1.1`), "Request: GET /slow HTTP/1.1"].sort(),
    )
    server.signal("SIGINT")
    expect(await server.exited()).toBe(0)
    expect(server.stderr()).toBe("")
  })
})
