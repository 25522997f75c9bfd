/**
 * CURVE for the tools: the runner generates one server and one client key pair per run and hands them to
 * both sides in the environment (the C tools read the same variables, c/bench.h). A tool started without
 * them runs plain (NULL mechanism), as before.
 *
 * The option objects use zeromq.js v6's option names, which @zmq-ts/core mirrors, so both libraries get the
 * very same options (in this order: libzmq's setsockopt order, curveServer before the secret key).
 */
export const CURVE_ENV = {
  serverPublic: "ZMQ_TS_BENCH_CURVE_SERVER_PUBLIC",
  serverSecret: "ZMQ_TS_BENCH_CURVE_SERVER_SECRET",
  clientPublic: "ZMQ_TS_BENCH_CURVE_CLIENT_PUBLIC",
  clientSecret: "ZMQ_TS_BENCH_CURVE_CLIENT_SECRET",
} as const

export interface CurveKeys {
  readonly serverPublic: string
  readonly serverSecret: string
  readonly clientPublic: string
  readonly clientSecret: string
}

/** The keys in this process's environment, if the runner gave any (all four or none). */
export function curveKeysFromEnvironment(): CurveKeys | undefined {
  const values = Object.entries(CURVE_ENV).map(([name, variable]) => [name, process.env[variable]] as const)
  if (values.every(([, value]) => value === undefined || value === "")) return undefined
  const missing = values.filter(([, value]) => value === undefined || value.length !== 40).map(([name]) => CURVE_ENV[name as keyof CurveKeys])
  if (missing.length > 0) throw new Error(`CURVE keys incomplete (need 40 Z85 characters each): ${missing.join(", ")}`)
  return Object.fromEntries(values) as unknown as CurveKeys
}

/** The environment variables that carry `keys` (for the runner). */
export function curveEnvironment(keys: CurveKeys): Record<string, string> {
  return Object.fromEntries(Object.entries(CURVE_ENV).map(([name, variable]) => [variable, keys[name as keyof CurveKeys]]))
}

/** Options of the binding side (a CURVE server): `{}` without keys. */
export function curveServerOptions(keys = curveKeysFromEnvironment()): { curveServer?: true; curveSecretKey?: string } {
  return keys === undefined ? {} : { curveServer: true, curveSecretKey: keys.serverSecret }
}

/** Options of the connecting side (a CURVE client of that server): `{}` without keys. */
export function curveClientOptions(keys = curveKeysFromEnvironment()): { curveServerKey?: string; curvePublicKey?: string; curveSecretKey?: string } {
  return keys === undefined ? {} : { curveServerKey: keys.serverPublic, curvePublicKey: keys.clientPublic, curveSecretKey: keys.clientSecret }
}

/**
 * With keys in the environment, fails unless the library has CURVE (`capability.curve`) and `socket` really
 * selected it: a library that accepted the options but ran the NULL mechanism would measure plain ZMTP.
 */
export function assertCurve(zmq: { readonly capability: { readonly curve?: boolean } }, socket: { readonly securityMechanism: unknown }): void {
  if (curveKeysFromEnvironment() === undefined) return
  const problem =
    zmq.capability.curve !== true
      ? "this library has no CURVE (capability.curve is not true)"
      : socket.securityMechanism !== "curve"
        ? `the socket's mechanism is ${String(socket.securityMechanism)}`
        : undefined
  if (problem === undefined) return
  // The message alone, as the tools' fail() prints it (this module stays free of child.ts's stdin reader).
  process.stderr.write(`CURVE case, but ${problem}\n`)
  process.exit(1)
}
