// Node's Buffer, as a module binding: the global `Buffer` is a getter, too slow for the per-message path.
export { Buffer } from "node:buffer"
