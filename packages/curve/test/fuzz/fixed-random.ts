/**
 * A fixed random source for replaying recorded CURVE sessions. Our side's short-term keys, cookie key
 * and nonces come from `crypto.getRandomValues`; with it fixed, our connection makes the same keys when
 * the fuzz replays a session as it did when record-sessions.ts recorded it, so libzmq's recorded boxes
 * (WELCOME, INITIATE, READY, MESSAGEs) open, and mutations reach every state of the handshake.
 */
type GetRandomValues = <T extends ArrayBufferView | null>(array: T) => T

/** Replaces getRandomValues with xorshift32 from `seed` until the returned function restores it. */
export function fixRandom(seed: number): () => void {
  const crypto = globalThis.crypto as unknown as { getRandomValues: GetRandomValues }
  let state = seed >>> 0 || 0x9e3779b9
  const fixed: GetRandomValues = (array) => {
    if (array !== null) {
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
      for (let i = 0; i < bytes.length; i++) {
        state ^= state << 13
        state ^= state >>> 17
        state ^= state << 5
        bytes[i] = state & 0xff
      }
    }
    return array
  }
  Object.defineProperty(crypto, "getRandomValues", { value: fixed, configurable: true, writable: true })
  return () => {
    delete (crypto as { getRandomValues?: unknown }).getRandomValues
  }
}
