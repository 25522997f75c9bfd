// Node: node:crypto's CSPRNG (request ids, routing ids, masking keys).
export { randomBytes } from "node:crypto"
