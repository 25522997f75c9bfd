/**
 * @zmq-ts/patterns — the ZeroMQ Guide's high-level patterns as reusable parts for @zmq-ts/core:
 * synchronised pub-sub, a pipeline with a kill signal, the shared queue (broker and Proxy forms), a
 * transport bridge, the load-balancing broker, and pub-sub envelopes.
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
