import { BlockList, isIP } from "node:net"

/**
 * The addresses of an allow or deny list. pyzmq and zauth compare the ZAP request's address text exactly;
 * we also match IP addresses by value, so "127.0.0.1" matches a peer reported as "::ffff:127.0.0.1" (an
 * IPv4 peer of a dual-stack listener) and "::1" matches "0:0:0:0:0:0:0:1", and take CIDR ranges
 * ("10.0.0.0/8", "fd00::/8"). Any other text (an empty address: ipc and inproc peers have none) is matched
 * exactly.
 */
export class AddressList {
  readonly #exact = new Set<string>()
  readonly #ips = new BlockList()
  #size = 0

  get size(): number {
    return this.#size
  }

  /** Adds an address, or a range as `address/prefix`. Throws TypeError for a malformed range. */
  add(entry: string): void {
    if (typeof entry !== "string") throw new TypeError(`an address must be a string, got ${typeof entry}`)
    this.#size++
    const slash = entry.lastIndexOf("/")
    if (slash >= 0) {
      const base = unbracketed(entry.slice(0, slash))
      const prefixText = entry.slice(slash + 1)
      const family = isIP(base)
      const prefix = Number(prefixText)
      if (family === 0 || !/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
        throw new TypeError(`${JSON.stringify(entry)} is not an address range (address/prefix, e.g. 10.0.0.0/8)`)
      }
      this.#ips.addSubnet(base, prefix, family === 4 ? "ipv4" : "ipv6")
      return
    }
    this.#exact.add(entry)
    const address = unbracketed(entry)
    const family = isIP(address)
    if (family !== 0) this.#ips.addAddress(address, family === 4 ? "ipv4" : "ipv6")
  }

  has(address: string): boolean {
    if (this.#exact.has(address)) return true
    const ip = unbracketed(address)
    const family = isIP(ip)
    if (family === 0) return false
    try {
      return this.#ips.check(ip, family === 4 ? "ipv4" : "ipv6")
    } catch {
      return false // an address BlockList cannot read (an IPv6 zone id): matched exactly above, or not at all
    }
  }
}

function unbracketed(address: string): string {
  return address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address
}
