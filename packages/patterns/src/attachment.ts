import type { Socket } from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"

/**
 * Where a socket of a pattern goes: a `bind` endpoint (`tcp://127.0.0.1:*`, `inproc://name`…) or a `connect`
 * endpoint. A plain string means `bind`.
 */
export type Attachment = string | { readonly bind: string } | { readonly connect: string }

/** One attachment or several (a bridge can listen on two networks at once). */
export type Attachments = Attachment | readonly Attachment[]

/** @internal Binds and connects `socket` as `attachments` says; returns the endpoints bound (wildcards resolved). */
export async function attach(socket: Socket, attachments: Attachments, name: string): Promise<string[]> {
  const list: readonly Attachment[] = Array.isArray(attachments) ? attachments : [attachments as Attachment]
  if (list.length === 0) throw localError(PatternErrorCode.INVALID_OPTION, `${name} needs at least one endpoint`)
  const bound: string[] = []
  for (const item of list) {
    if (typeof item === "string" || "bind" in item) {
      const endpoint = typeof item === "string" ? item : item.bind
      await socket.bind(endpoint)
      bound.push(socket.lastEndpoint ?? endpoint)
    } else if ("connect" in item) {
      socket.connect(item.connect)
    } else {
      throw localError(PatternErrorCode.INVALID_OPTION, `${name}: an attachment is a string, { bind } or { connect }`)
    }
  }
  return bound
}
