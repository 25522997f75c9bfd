import { isIP } from "node:net"
import { networkInterfaces } from "node:os"
import { zmqError } from "../../common/errors.js"

/**
 * libzmq binds `tcp://eth0:5555` to that interface's address (tcp_address.cpp resolve_interface): its first
 * IPv4 address, or with `ipv6` its first address of either family. Undefined when no interface has the name.
 */
function interfaceAddress(name: string, ipv6: boolean): string | undefined {
  const addresses = networkInterfaces()[name]
  if (addresses === undefined || addresses.length === 0) return undefined
  const usable = addresses.filter((address) => ipv6 || address.family === "IPv4")
  return usable[0]?.address
}

/**
 * The host a tcp or ws bind listens on, as libzmq's tcp_address resolves it: `*` is every interface (IPv6
 * ones too with `ipv6`), an interface name is its address, an IPv6 address without `ipv6` is ENODEV.
 */
export function listenHostFor(host: string, ipv6: boolean, address: string): string {
  if (host === "*") return ipv6 ? "::" : "0.0.0.0"
  let listenHost = host
  if (isIP(listenHost) === 0) listenHost = interfaceAddress(listenHost, ipv6) ?? listenHost
  if (isIP(listenHost) === 6 && !ipv6) {
    // libzmq cannot resolve an IPv6 address for an IPv4-only socket: ENODEV, as zeromq.js reports it.
    throw zmqError("ENODEV", `binding to IPv6 address ${listenHost} needs the ipv6 option`, address)
  }
  if (listenHost === "localhost" && !ipv6) listenHost = "127.0.0.1"
  return listenHost
}
