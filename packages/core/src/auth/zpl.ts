/**
 * ZPL, the ZeroMQ Property Language (RFC 4, https://rfc.zeromq.org/spec/4/), as CZMQ's zconfig reads and
 * writes it: the format of CZMQ/pyzmq certificate files.
 *
 *   # a comment line
 *   curve                          a name alone opens a section
 *       public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
 *       note = unquoted up to a # comment
 *
 * Indentation is 4 spaces per level (tabs are an error, as in zconfig). Names are letters, digits and
 * `$-_@.&+/` (no `/` first or last). A value is quoted with `"` or `'` (no escapes: it runs to the next
 * quote of the same kind) or unquoted, running to a `#` with trailing spaces dropped. One bad line makes the
 * whole text invalid, as zconfig has it. We are a little kinder than zconfig in one place: a comment line
 * may be indented by any number of spaces.
 */
import { ZmqError } from "@zmq-ts/core"

/** One node of a ZPL tree: a name, its value ("" for a section header) and the nodes indented under it. */
export interface ZplNode {
  readonly name: string
  readonly value: string
  readonly children: ZplNode[]
}

const NAME_CHAR = /[A-Za-z0-9$\-_@.&+/]/

function invalid(line: number, what: string): ZmqError {
  return new ZmqError("EINVAL", undefined, { details: `ZPL line ${line}: ${what}` })
}

/** Parses ZPL text into a root node (name "root") whose children are the top-level entries. */
export function parseZpl(text: string): ZplNode {
  const root: ZplNode = { name: "root", value: "", children: [] }
  const lines = text.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1
    const line = lines[index]!.replace(/\s+$/, "")
    const body = line.replace(/^ +/, "")
    if (body === "" || body.startsWith("#")) continue
    const indent = line.length - body.length
    if (/^\s/.test(body)) throw invalid(lineNumber, "indent with spaces, 4 per level")
    if (indent % 4 !== 0) throw invalid(lineNumber, `indent of ${indent} spaces is not a multiple of 4`)
    let nameEnd = 0
    while (nameEnd < body.length && NAME_CHAR.test(body[nameEnd]!)) nameEnd++
    const name = body.slice(0, nameEnd)
    if (name === "") throw invalid(lineNumber, `invalid syntax ${JSON.stringify(body)}`)
    if (name.startsWith("/") || name.endsWith("/")) throw invalid(lineNumber, `'/' not valid at the start or end of name ${JSON.stringify(name)}`)
    const value = parseValue(body.slice(nameEnd), lineNumber, body)
    let parent = root
    for (let level = indent / 4; level > 0; level--) {
      const last = parent.children[parent.children.length - 1]
      if (last === undefined) throw invalid(lineNumber, "indented deeper than the line above allows")
      parent = last
    }
    parent.children.push({ name, value, children: [] })
  }
  return root
}

/** What follows a name: nothing, or `= value`, then optionally a `#` comment. */
function parseValue(rest: string, line: number, body: string): string {
  let at = rest.replace(/^\s+/, "")
  if (!at.startsWith("=")) {
    expectEndOfLine(at, line, body)
    return ""
  }
  at = at.slice(1).replace(/^\s+/, "")
  const quote = at[0]
  if (quote === '"' || quote === "'") {
    const end = at.indexOf(quote, 1)
    if (end < 0) throw invalid(line, `missing closing ${quote}`)
    expectEndOfLine(at.slice(end + 1), line, body)
    return at.slice(1, end)
  }
  const comment = at.indexOf("#")
  return (comment < 0 ? at : at.slice(0, comment)).replace(/\s+$/, "")
}

/** Nothing but spaces and a comment may follow; `body` is the line, for the message. */
function expectEndOfLine(rest: string, line: number, body: string): void {
  const trimmed = rest.replace(/^\s+/, "")
  if (trimmed !== "" && !trimmed.startsWith("#")) throw invalid(line, `invalid syntax ${JSON.stringify(body)}`)
}

/** The first node at a slash-separated path below `node` ("curve/public-key"), as zconfig_locate finds it. */
export function locate(node: ZplNode, path: string): ZplNode | undefined {
  let at: ZplNode | undefined = node
  for (const name of path.split("/")) {
    if (name === "") continue
    at = at.children.find((child) => child.name === name)
    if (at === undefined) return undefined
  }
  return at
}

/** Whether `name` can be written as a ZPL name. */
export function isZplName(name: string): boolean {
  if (name === "" || name.startsWith("/") || name.endsWith("/")) return false
  for (const char of name) if (!NAME_CHAR.test(char)) return false
  return true
}

/**
 * ZPL text for `root`'s children, after `comments` (each written as `#` + the comment, then a blank line),
 * as zconfig_save writes it: every value in double quotes (single quotes for one that holds a `"`).
 * Throws TypeError for what ZPL cannot hold: a bad name, a value with a line break or with both quotes.
 */
export function formatZpl(root: ZplNode, comments: readonly string[] = []): string {
  let out = ""
  for (const comment of comments) out += `#${comment}\n`
  if (comments.length > 0) out += "\n"
  const write = (node: ZplNode, depth: number): void => {
    if (!isZplName(node.name)) throw new TypeError(`${JSON.stringify(node.name)} is not a valid ZPL name (letters, digits, $-_@.&+/)`)
    const indent = " ".repeat(depth * 4)
    // zconfig writes a name alone for a node without a value, and reads it back as the value "".
    if (node.value === "") out += `${indent}${node.name}\n`
    else out += `${indent}${node.name} = ${quoted(node.value, node.name)}\n`
    for (const child of node.children) write(child, depth + 1)
  }
  for (const child of root.children) write(child, 0)
  return out
}

function quoted(value: string, name: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError(`the value of ${name} holds a line break, which ZPL cannot write`)
  if (!value.includes('"')) return `"${value}"`
  if (!value.includes("'")) return `'${value}'`
  throw new TypeError(`the value of ${name} holds both kinds of quote, which ZPL cannot write`)
}
