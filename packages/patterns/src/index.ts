/**
 * @zmq-ts/patterns — the ZeroMQ Guide's high-level patterns as reusable parts for @zmq-ts/core:
 * synchronised pub-sub, a pipeline with a kill signal, the shared queue (broker and Proxy forms), a
 * transport bridge, the load-balancing broker, pub-sub envelopes, and chapter 4's reliable request-reply
 * (Lazy, Simple and Paranoid Pirate, Majordomo, Titanic, Binary Star, Freelance).
 */
export { PatternError, PatternErrorCode } from "./errors.js"
export type { PatternErrorOrigin } from "./errors.js"
export type { Attachment, Attachments } from "./attachment.js"
export type { Service, ServiceState } from "./service.js"

export {
  TOPIC_TERMINATOR,
  topicFrame,
  encodeEnvelope,
  encodeAddressedEnvelope,
  decodeEnvelope,
  decodeAddressedEnvelope,
  subscribeTopic,
  unsubscribeTopic,
  sendEnvelope,
  sendAddressedEnvelope,
  receiveEnvelope,
  receiveAddressedEnvelope,
} from "./envelope.js"
export type {
  Frame,
  EnvelopeOptions,
  Envelope,
  AddressedEnvelope,
  EnvelopeInput,
  AddressedEnvelopeInput,
} from "./envelope.js"

export {
  SyncMode,
  DEFAULT_SYNC_MODE,
  DEFAULT_HELLO_INTERVAL,
  DEFAULT_SETTLE_DELAY,
  SYNC_HELLO,
  SYNC_REPLY,
  isSyncHello,
} from "./synchronization.js"
export { waitForSubscribers, SynchronizedPublisher } from "./synchronized-publisher.js"
export type { WaitForSubscribersOptions, SynchronizedPublisherOptions } from "./synchronized-publisher.js"
export { joinPublisher, SynchronizedSubscriber } from "./synchronized-subscriber.js"
export type { JoinPublisherOptions, SynchronizedSubscriberOptions } from "./synchronized-subscriber.js"

export { PIPELINE_KILL, PIPELINE_BATCH } from "./pipeline-signals.js"
export type { BatchStart } from "./pipeline-signals.js"
export { Ventilator } from "./ventilator.js"
export type { VentilatorOptions, Task } from "./ventilator.js"
export { PipelineWorker } from "./pipeline-worker.js"
export type { PipelineWorkerOptions, PipelineWorkerExit, TaskHandler } from "./pipeline-worker.js"
export { Sink } from "./sink.js"
export type { SinkOptions, CollectOptions, KillOptions } from "./sink.js"

export type { SharedQueueOptions } from "./shared-queue-options.js"
export { RequestReplyBroker } from "./request-reply-broker.js"
export { MessageQueue } from "./message-queue.js"
export type { MessageQueueOptions } from "./message-queue.js"

export { TransportBridge } from "./transport-bridge.js"
export type { TransportBridgeOptions } from "./transport-bridge.js"

export { WorkerSignal } from "./load-balancing-signals.js"
export { LoadBalancingBroker } from "./load-balancing-broker.js"
export type { LoadBalancingBrokerOptions, LoadBalancingEvent } from "./load-balancing-broker.js"
export { LoadBalancingWorker, DEFAULT_LEAVE_TIMEOUT } from "./load-balancing-worker.js"
export type { LoadBalancingWorkerOptions, RequestHandler } from "./load-balancing-worker.js"

export {
  BinaryStarMachine,
  BinaryStarState,
  BinaryStarEvent,
  binaryStarStateName,
  DEFAULT_BINARY_STAR_HEARTBEAT,
} from "./binary-star-machine.js"
export type { BinaryStarOutcome, BinaryStarMachineOptions } from "./binary-star-machine.js"
export { BinaryStar } from "./binary-star.js"
export type {
  BinaryStarOptions,
  BinaryStarVoterType,
  BinaryStarVoterSocket,
  BinaryStarVoterHandler,
  BinaryStarEventReport,
} from "./binary-star.js"

export {
  MDPC_CLIENT,
  MDPW_WORKER,
  MdpCommand,
  MMI_PREFIX,
  MMI_SERVICE,
  MmiStatus,
  MDP_HEARTBEAT_INTERVAL,
  MDP_HEARTBEAT_LIVENESS,
  MDP_RECONNECT_INTERVAL,
  MDP_REQUEST_TIMEOUT,
  MDP_REQUEST_RETRIES,
} from "./majordomo-protocol.js"
export { MajordomoBroker } from "./majordomo-broker.js"
export type { MajordomoBrokerOptions, MajordomoEvent } from "./majordomo-broker.js"
export { MajordomoClient } from "./majordomo-client.js"
export type { MajordomoClientOptions } from "./majordomo-client.js"
export { MajordomoAsyncClient } from "./majordomo-async-client.js"
export type { MajordomoAsyncClientOptions } from "./majordomo-async-client.js"
export { MajordomoWorker } from "./majordomo-worker.js"
export type { MajordomoWorkerOptions, MajordomoHandler } from "./majordomo-worker.js"

export { LazyPirateClient, LAZY_PIRATE_TIMEOUT, LAZY_PIRATE_RETRIES } from "./lazy-pirate-client.js"
export type { LazyPirateClientOptions, LazyPirateEvent } from "./lazy-pirate-client.js"
export { SimplePirateQueue, SIMPLE_PIRATE_READY } from "./simple-pirate-queue.js"
export type { SimplePirateQueueOptions, SimplePirateEvent } from "./simple-pirate-queue.js"
export { SimplePirateWorker } from "./simple-pirate-worker.js"
export type { SimplePirateWorkerOptions, PirateHandler } from "./simple-pirate-worker.js"
export {
  PPP_READY,
  PPP_HEARTBEAT,
  PPP_HEARTBEAT_INTERVAL,
  PPP_HEARTBEAT_LIVENESS,
  PPP_RECONNECT_INTERVAL,
  PPP_RECONNECT_INTERVAL_MAX,
  parsePpp,
} from "./paranoid-pirate-protocol.js"
export type { PppMessage } from "./paranoid-pirate-protocol.js"
export { ParanoidPirateQueue } from "./paranoid-pirate-queue.js"
export type { ParanoidPirateQueueOptions, ParanoidPirateEvent } from "./paranoid-pirate-queue.js"
export { ParanoidPirateWorker } from "./paranoid-pirate-worker.js"
export type { ParanoidPirateWorkerOptions, ParanoidPirateWorkerEvent } from "./paranoid-pirate-worker.js"

export {
  FREELANCE_PING,
  FREELANCE_PONG,
  DEFAULT_FREELANCE_GLOBAL_TIMEOUT,
  DEFAULT_FREELANCE_PING_INTERVAL,
  DEFAULT_FREELANCE_SERVER_TTL,
} from "./freelance-protocol.js"
export { FreelanceClient } from "./freelance-client.js"
export type { FreelanceClientOptions, FreelanceEvent } from "./freelance-client.js"
export { FreelanceServer } from "./freelance-server.js"
export type { FreelanceServerOptions, FreelanceServerEvent, FreelanceHandler } from "./freelance-server.js"

export { TitanicStore, generateTitanicUuid, isTitanicUuid } from "./titanic-store.js"
export type { TitanicPending } from "./titanic-store.js"
export {
  Titanic,
  TitanicStatus,
  TITANIC_REQUEST,
  TITANIC_REPLY,
  TITANIC_CLOSE,
  DEFAULT_TITANIC_DIRECTORY,
  DEFAULT_DISPATCH_INTERVAL,
  DEFAULT_SERVICE_TIMEOUT,
  DEFAULT_SERVICE_RETRIES,
} from "./titanic.js"
export type { TitanicOptions, TitanicEvent } from "./titanic.js"
