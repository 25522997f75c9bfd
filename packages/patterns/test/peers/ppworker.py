"""A libzmq Paranoid Pirate worker, RFC 6 (PPP) at rfc.zeromq.org/spec/6: a DEALER that sends READY
(0x01), a HEARTBEAT (0x02) every `interval_ms`, echoes each request [client, empty, body...] after
`work_ms`, and when the queue has been silent for `liveness` intervals reconnects on a new socket.
Usage: ppworker.py ENDPOINT INTERVAL_MS WORK_MS NAME. Prints "READY", then "REQUEST body" per request."""
import sys
import time
import zmq

READY, HEARTBEAT, LIVENESS = b"\x01", b"\x02", 3
endpoint, interval_ms, work_ms, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = zmq.Context()
generation = 0


def connect():
    global generation
    generation += 1
    worker = ctx.socket(zmq.DEALER)
    worker.linger = 0
    worker.identity = ("%s-%d" % (name, generation)).encode()
    worker.connect(endpoint)
    worker.send(READY)
    print("READY", flush=True)
    return worker


worker = connect()
liveness = LIVENESS
next_heartbeat = time.monotonic() + interval_ms / 1000
while True:
    if worker.poll(interval_ms, zmq.POLLIN):
        frames = worker.recv_multipart()
        liveness = LIVENESS
        if len(frames) >= 3:
            print("REQUEST " + frames[-1].decode(), flush=True)
            time.sleep(work_ms / 1000)
            worker.send_multipart(frames)
        elif frames != [HEARTBEAT]:
            print("INVALID %r" % frames, flush=True)
    else:
        liveness -= 1
        if liveness == 0:
            print("RECONNECT", flush=True)
            worker.close()
            time.sleep(interval_ms / 1000)
            worker = connect()
            liveness = LIVENESS
    if time.monotonic() >= next_heartbeat:
        next_heartbeat = time.monotonic() + interval_ms / 1000
        worker.send(HEARTBEAT)
