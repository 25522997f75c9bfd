// Node: node:events's EventEmitter (the Observer returns it, as zeromq.js does).
export { EventEmitter } from "node:events"
