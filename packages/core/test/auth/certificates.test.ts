/**
 * ZPL (RFC 4) and CURVE certificate files as CZMQ (zcert, zcertstore) and pyzmq (zmq.auth.certs) write
 * and read them: round trips through our writer and reader, files written by pyzmq 24 (fixtures/pyzmq,
 * made with `zmq.auth.create_certificates`) and in zcert_save's form (fixtures/czmq), the folder reader,
 * and, where python3 has pyzmq, pyzmq reading what we write.
 */
import { Buffer } from "node:buffer"
import { spawnSync } from "node:child_process"
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto"
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { z85Decode, z85Encode } from "@zmq-ts/zmtp"
import { ZmqError } from "../../src/index.js"
import { createCertificate, formatCertificate, parseCertificate, readCertificate, readCertificates, writeCertificate } from "../../src/auth.js"
import { formatZpl, parseZpl, type ZplNode } from "../../src/auth/zpl.js"

const FIXTURES = join(import.meta.dirname, "fixtures")

let folder: string
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "zmqts-certs-"))
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

function newKey(): string {
  return z85Encode(randomBytes(32))
}

/** The X25519 public key of a secret key (PKCS#8 wrapping of the raw 32 bytes). */
function publicKeyOf(secretKey: string): string {
  const der = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), Buffer.from(z85Decode(secretKey))])
  const jwk = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({ format: "jwk" })
  return z85Encode(Buffer.from(jwk.x!, "base64url"))
}

function details(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return ZmqError.isInstance(error) ? `${error.code}: ${error.details}` : String(error)
  }
  return undefined
}

describe("ZPL", () => {
  it("reads sections, both quotes, unquoted values up to a comment, bare names and comments", () => {
    const text = [
      "# top comment",
      "context",
      "    iothreads = 1",
      "    verbose = 1      #   Ask for a trace",
      "main",
      "    type = zqueue    # ZMQ_DEVICE type",
      "    frontend",
      "        option",
      "            hwm = 1000",
      "            swap = \"25000000\"   # 25MB",
      "        bind = 'inproc://addr1'",
      "        bind = \"ipc://a'b # not a comment\"",
      "      # an indented comment",
      "    empty =",
      "    bare",
      "",
    ].join("\r\n")
    const root = parseZpl(text)
    const simple = (node: ZplNode): unknown => (node.children.length === 0 ? node.value : [node.value, Object.fromEntries(node.children.map((c, i) => [`${i}:${c.name}`, simple(c)]))])
    expect(simple(root)).toEqual([
      "",
      {
        "0:context": ["", { "0:iothreads": "1", "1:verbose": "1" }],
        "1:main": [
          "",
          {
            "0:type": "zqueue",
            "1:frontend": ["", { "0:option": ["", { "0:hwm": "1000", "1:swap": "25000000" }], "1:bind": "inproc://addr1", "2:bind": "ipc://a'b # not a comment" }],
            "2:empty": "",
            "3:bare": "",
          },
        ],
      },
    ])
  })

  it("rejects what zconfig rejects, naming the line", () => {
    expect(details(() => parseZpl("curve\n\tpublic-key = \"x\"\n"))).toMatch(/^EINVAL: ZPL line 2: indent with spaces/)
    expect(details(() => parseZpl("curve\n  public-key = \"x\"\n"))).toMatch(/line 2: indent of 2 spaces/)
    expect(details(() => parseZpl("curve\n        deep = 1\n"))).toMatch(/line 2: indented deeper/)
    expect(details(() => parseZpl("    orphan = 1\n"))).toMatch(/line 1: indented deeper/)
    expect(details(() => parseZpl("name = \"unterminated\n"))).toMatch(/line 1: missing closing "/)
    expect(details(() => parseZpl("name = \"x\" trailing\n"))).toMatch(/line 1: invalid syntax/)
    expect(details(() => parseZpl("name junk\n"))).toMatch(/line 1: invalid syntax/)
    expect(details(() => parseZpl("=value\n"))).toMatch(/line 1: invalid syntax/)
    expect(details(() => parseZpl("/name = 1\n"))).toMatch(/line 1: '\/' not valid/)
  })

  const name = fc
    .stringMatching(/^[A-Za-z0-9$\-_@.&+/]{1,12}$/)
    .filter((text) => !text.startsWith("/") && !text.endsWith("/"))
  const value = fc.string({ unit: "grapheme", maxLength: 20 }).filter((text) => !/[\r\n]/.test(text) && !(text.includes('"') && text.includes("'")))
  const tree: fc.Arbitrary<ZplNode[]> = fc.letrec<{ nodes: ZplNode[] }>((tie) => ({
    nodes: fc.array(
      fc.record({ name, value, children: fc.oneof({ depthSize: "small", withCrossShrink: true }, fc.constant<ZplNode[]>([]), tie("nodes")) }),
      { maxLength: 4 },
    ),
  })).nodes

  it("property: formatZpl then parseZpl gives the same tree back", () => {
    fc.assert(
      fc.property(tree, fc.array(fc.string().filter((text) => !/[\r\n]/.test(text)), { maxLength: 3 }), (children, comments) => {
        const root: ZplNode = { name: "root", value: "", children }
        expect(parseZpl(formatZpl(root, comments))).toEqual(root)
      }),
    )
  })

  it("formatZpl refuses what ZPL cannot hold", () => {
    const one = (node: ZplNode): string => formatZpl({ name: "root", value: "", children: [node] })
    expect(() => one({ name: "bad name", value: "", children: [] })).toThrow(TypeError)
    expect(() => one({ name: "n", value: "two\nlines", children: [] })).toThrow(TypeError)
    expect(() => one({ name: "n", value: `both ' and "`, children: [] })).toThrow(TypeError)
    expect(one({ name: "n", value: 'say "hi"', children: [] })).toBe(`n = 'say "hi"'\n`)
  })
})

describe("certificate files", () => {
  it("writeCertificate writes <path> (public) and <path>_secret (0600); readCertificate reads both back", async () => {
    const publicKey = newKey()
    const secretKey = newKey()
    const metadata = { name: "server one", "email@": "a@b.c", quote: 'say "hi"' }
    const path = join(folder, "server")
    const files = await writeCertificate(path, { publicKey: z85Decode(publicKey), secretKey, metadata })
    expect(files).toEqual({ publicFile: path, secretFile: `${path}_secret` })
    expect(await readCertificate(path)).toEqual({ publicKey, metadata })
    expect(await readCertificate(`${path}_secret`)).toEqual({ publicKey, secretKey, metadata })
    expect((await readFile(path, "utf8")).includes(secretKey)).toBe(false)
    if (process.platform !== "win32") expect((await stat(`${path}_secret`)).mode & 0o777).toBe(0o600)
  })

  it("without a secret key, writes the public file only", async () => {
    const publicKey = newKey()
    expect(await writeCertificate(join(folder, "pub"), { publicKey })).toEqual({ publicFile: join(folder, "pub") })
    expect(await readCertificate(join(folder, "pub"))).toEqual({ publicKey, metadata: {} })
  })

  it("writes zcert_save's form: banner comments, a metadata section, the curve section, values quoted", () => {
    const text = formatCertificate({ publicKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", metadata: { name: "srv" } })
    expect(text.replace(/Generated on .* by/, "Generated on DATE by")).toBe(
      [
        "#   ****  Generated on DATE by zmq-ts  ****",
        "#   ZeroMQ CURVE Public Certificate",
        "#   Exchange securely, or use a secure mechanism to verify the contents",
        "#   of this file after exchange. Store public certificates in your home",
        "#   directory, in the .curve subdirectory.",
        "",
        "metadata",
        '    name = "srv"',
        "curve",
        '    public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"',
        "",
      ].join("\n"),
    )
  })

  it("reads the files pyzmq 24 writes (zmq.auth.create_certificates, metadata unquoted)", async () => {
    const publicKey = "=Pw1NPcvDRv5!cddhqybdnsz@-1Tmcs%9VZ81L0k"
    expect(await readCertificate(join(FIXTURES, "pyzmq", "server.key"))).toEqual({ publicKey, metadata: {} })
    const secret = await readCertificate(join(FIXTURES, "pyzmq", "server.key_secret"))
    expect(secret).toEqual({ publicKey, secretKey: "Q1mqDTuhVxKl0XHcI1A3Jc}7n)d-v@e=87lU*OFk", metadata: { name: "server one", role: "test" } })
    expect(publicKeyOf(secret.secretKey!)).toBe(publicKey)
  })

  it("reads the files CZMQ writes (zcert_save)", async () => {
    const publicKey = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    const metadata = { name: "client", email: "client@example.com" }
    expect(await readCertificate(join(FIXTURES, "czmq", "client"))).toEqual({ publicKey, metadata })
    const secret = await readCertificate(join(FIXTURES, "czmq", "client_secret"))
    expect(secret).toEqual({ publicKey, secretKey: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", metadata })
    expect(publicKeyOf(secret.secretKey!)).toBe(publicKey)
  })

  it("createCertificate makes a real X25519 pair, in pyzmq's <name>.key and <name>.key_secret", async () => {
    const created = await createCertificate(folder, "client", { role: "tester" })
    expect(created.publicFile).toBe(join(folder, "client.key"))
    expect(created.secretFile).toBe(join(folder, "client.key_secret"))
    expect(publicKeyOf(created.secretKey)).toBe(created.publicKey)
    expect(await readCertificate(created.secretFile)).toEqual({ publicKey: created.publicKey, secretKey: created.secretKey, metadata: { role: "tester" } })
    const other = await createCertificate(folder, "other")
    expect(other.publicKey).not.toBe(created.publicKey)
  })

  it("a file that is not a certificate is an EINVAL naming the file and the problem", async () => {
    const missingKey = "curve\n    secret-key = \"x\"\n"
    expect(details(() => parseCertificate(missingKey))).toBe("EINVAL: not a CURVE certificate: no curve/public-key of 40 Z85 characters")
    expect(details(() => parseCertificate(`public-key = "${newKey()}"\n`))).toMatch(/no curve\/public-key/)
    expect(details(() => parseCertificate(`curve\n    public-key = "${newKey().slice(1)}"\n`))).toMatch(/no curve\/public-key/)
    expect(details(() => parseCertificate(`curve\n    public-key = "${newKey()}"\n    secret-key = "short"\n`))).toMatch(/secret-key is not 40 Z85/)
    await writeFile(join(folder, "bad"), "curve\n\tpublic-key = 1\n")
    const error = await readCertificate(join(folder, "bad")).then(() => undefined, (e: unknown) => e)
    expect(ZmqError.isInstance(error) && error.details).toBe(`${join(folder, "bad")}: ZPL line 2: indent with spaces, 4 per level`)
    await expect(readCertificate(join(folder, "absent"))).rejects.toMatchObject({ code: "ENOENT" })
  })

  it("formatCertificate refuses bad keys and metadata", () => {
    expect(() => formatCertificate({ publicKey: "short" })).toThrow(TypeError)
    expect(() => formatCertificate({ publicKey: randomBytes(31) })).toThrow(TypeError)
    expect(() => formatCertificate({ publicKey: newKey() }, "secret")).toThrow(/secretKey/)
    expect(() => formatCertificate({ publicKey: newKey(), metadata: { "bad name": "x" } })).toThrow(TypeError)
    expect(() => formatCertificate({ publicKey: newKey(), metadata: { name: "line\nbreak" } })).toThrow(TypeError)
    expect(() => formatCertificate({ publicKey: newKey(), metadata: { name: 1 as never } })).toThrow(TypeError)
  })

  it("reads metadata named __proto__ or constructor back as plain entries", async () => {
    const path = join(folder, "proto")
    await writeCertificate(path, { publicKey: newKey(), metadata: JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string> })
    const { metadata } = await readCertificate(path)
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype)
    expect(Object.keys(metadata)).toEqual(["__proto__", "constructor"])
    expect(Object.getOwnPropertyDescriptor(metadata, "__proto__")?.value).toBe("x")
  })

  it("property: any keys and metadata survive writeCertificate → readCertificate", async () => {
    const metadataName = fc.stringMatching(/^[A-Za-z0-9$\-_@.&+]{1,10}$/)
    const metadataValue = fc.string({ maxLength: 30 }).filter((text) => !/[\r\n]/.test(text) && !(text.includes('"') && text.includes("'")))
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.dictionary(metadataName, metadataValue, { maxKeys: 4 }), async (pub, sec, metadata) => {
        const path = join(folder, "prop")
        await writeCertificate(path, { publicKey: pub, secretKey: sec, metadata })
        expect(await readCertificate(`${path}_secret`)).toEqual({ publicKey: z85Encode(pub), secretKey: z85Encode(sec), metadata: { ...metadata } })
      }),
      { numRuns: 50 },
    )
  })
})

describe("certificate folders", () => {
  it("reads every public certificate below the folder, subfolders too, skipping *_secret and reporting the rest", async () => {
    const a = await createCertificate(folder, "a")
    await mkdir(join(folder, "team"))
    const b = await createCertificate(join(folder, "team"), "b")
    const c = newKey()
    await writeCertificate(join(folder, "c"), { publicKey: c })
    await writeFile(join(folder, "README"), "not a certificate\n")
    const found = await readCertificates(folder)
    expect(found.certificates.map((certificate) => [certificate.path, certificate.publicKey])).toEqual([
      [a.publicFile, a.publicKey],
      [join(folder, "c"), c],
      [b.publicFile, b.publicKey],
    ])
    expect(found.skipped).toEqual([{ path: join(folder, "README"), reason: "ZPL line 1: invalid syntax \"not a certificate\"" }])
    expect(found.certificates.some((certificate) => certificate.secretKey !== undefined)).toBe(false)
  })

  it("reads the pyzmq and CZMQ fixtures as one folder", async () => {
    const found = await readCertificates(FIXTURES)
    expect(found.certificates.map((certificate) => certificate.publicKey).sort()).toEqual(["=Pw1NPcvDRv5!cddhqybdnsz@-1Tmcs%9VZ81L0k", "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"].sort())
    expect(found.skipped).toEqual([])
  })

  it("rejects for a folder that does not exist", async () => {
    await expect(readCertificates(join(folder, "nope"))).rejects.toMatchObject({ code: "ENOENT" })
  })
})

/** A python3 that has pyzmq (Debian's python3-zmq), if this machine has one: the tests below need it. */
const pyzmq = ["python3", "/usr/bin/python3"].find((python) => spawnSync(python, ["-c", "import zmq.auth"], { stdio: "ignore" }).status === 0)

describe.skipIf(pyzmq === undefined)("pyzmq reads what we write (python3-zmq installed)", () => {
  it("zmq.auth.load_certificate and load_certificates", async () => {
    const created = await createCertificate(folder, "ours", { name: "ours" })
    const script = [
      "import sys, zmq.auth",
      "folder, public, secret = sys.argv[1:4]",
      "print(zmq.auth.load_certificate(public)[0].decode())",
      "p, s = zmq.auth.load_certificate(secret)",
      "print(p.decode(), s.decode())",
      "print(','.join(k.decode() for k in zmq.auth.load_certificates(folder)))",
    ].join("\n")
    const run = spawnSync(pyzmq!, ["-c", script, folder, created.publicFile, created.secretFile], { encoding: "utf8" })
    expect(run.stderr).toBe("")
    expect(run.stdout.split("\n")).toEqual([created.publicKey, `${created.publicKey} ${created.secretKey}`, created.publicKey, ""])
  })
})
