/**
 * mdbroker — the Guide, chapter 4, "Service-Oriented Reliable Queuing (Majordomo Pattern)" (mdbroker.c): the
 * Majordomo broker, MDP/0.1 (RFC 7) with the MMI service discovery (RFC 8), on one ROUTER.
 *
 *   mdclient / mdclient2 / mmiecho ──MDPC01──▶ tcp://*:5555 ROUTER ◀──MDPW01── mdworker ("echo")
 *
 * `-v` traces every message, as the Guide's. Runs until Ctrl-C. The broker itself is @zmq-ts/patterns'
 * MajordomoBroker: request queues per service, least recently used idle workers, heartbeats every 2.5 s,
 * workers expired after three silent heartbeats, DISCONNECT on protocol errors, mmi.service.
 */
import { MajordomoBroker } from "@zmq-ts/patterns"
import { s_catch_signals } from "@zmq-ts/zhelpers"

const verbose = process.argv[2] === "-v"

const broker = new MajordomoBroker({ verbose })
await broker.bind("tcp://*:5555")
s_catch_signals()

//  Get and process messages forever or until interrupted
await broker.done()
console.log("W: interrupt received, shutting down...")
