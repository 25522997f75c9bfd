"""A libzmq Paranoid Pirate queue, RFC 6 (PPP) at rfc.zeromq.org/spec/6: a ROUTER for clients and a ROUTER
for workers; workers announce READY (0x01), are used least recently used first, get a HEARTBEAT (0x02)
every `interval_ms`, and are purged after `liveness` silent intervals. Usage: ppqueue.py FRONTEND BACKEND
INTERVAL_MS. Prints "READY" once bound, "WORKER id" when one announces itself, "EXPIRED id" on a purge."""
import sys
import time
import zmq

READY, HEARTBEAT, LIVENESS = b"\x01", b"\x02", 3
frontend_endpoint, backend_endpoint, interval_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
frontend = ctx.socket(zmq.ROUTER)
backend = ctx.socket(zmq.ROUTER)
frontend.bind(frontend_endpoint)
backend.bind(backend_endpoint)
print("READY", flush=True)

workers = {}  # identity -> expiry, in least-recently-used order (dicts keep insertion order)
poll_workers = zmq.Poller()
poll_workers.register(backend, zmq.POLLIN)
poll_both = zmq.Poller()
poll_both.register(frontend, zmq.POLLIN)
poll_both.register(backend, zmq.POLLIN)
next_heartbeat = time.monotonic() + interval_ms / 1000


def ready(identity):
    if identity not in workers:
        print("WORKER " + identity.decode(), flush=True)
    workers.pop(identity, None)
    workers[identity] = time.monotonic() + interval_ms * LIVENESS / 1000


while True:
    events = dict((poll_both if workers else poll_workers).poll(interval_ms))
    if events.get(backend) == zmq.POLLIN:
        frames = backend.recv_multipart()
        identity, message = frames[0], frames[1:]
        ready(identity)
        if len(message) > 1:
            frontend.send_multipart(message)
        elif message not in ([READY], [HEARTBEAT]):
            print("INVALID %r" % message, flush=True)
    if events.get(frontend) == zmq.POLLIN:
        request = frontend.recv_multipart()
        identity = next(iter(workers))
        del workers[identity]
        backend.send_multipart([identity] + request)
    if time.monotonic() >= next_heartbeat:
        next_heartbeat = time.monotonic() + interval_ms / 1000
        for identity in workers:
            backend.send_multipart([identity, HEARTBEAT])
    now = time.monotonic()
    for identity in [w for w, expiry in workers.items() if expiry < now]:
        print("EXPIRED " + identity.decode(), flush=True)
        del workers[identity]
