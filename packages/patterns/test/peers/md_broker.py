"""A Majordomo broker on libzmq (python3-zmq), written from RFC 7 (MDP/0.1) and RFC 8 (MMI).

Usage: md_broker.py ENDPOINT [HEARTBEAT_MS]
One ROUTER for clients (MDPC01) and workers (MDPW01); per service a FIFO of requests and of idle workers.
Prints "BOUND <endpoint>", then "READY <service>" per registered worker and "EXPIRED <service>" per expiry.
"""
import sys
import time
import zmq

CLIENT, WORKER = b"MDPC01", b"MDPW01"
READY, REQUEST, REPLY, HEARTBEAT, DISCONNECT = b"\x01", b"\x02", b"\x03", b"\x04", b"\x05"

endpoint = sys.argv[1]
interval = (int(sys.argv[2]) if len(sys.argv) > 2 else 2500) / 1000.0
expiry_after = 3 * interval  # RFC 7 "Heartbeating": some multiple (3-5) of the interval

router = zmq.Context.instance().socket(zmq.ROUTER)
router.linger = 0
router.bind(endpoint)
print("BOUND", router.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)

requests = {}   # service -> [(client, body)]
idle = {}       # service -> [worker identity]
workers = {}    # worker identity -> {"service", "expiry", "busy"}


def to_worker(identity, command, *frames):
    router.send_multipart([identity, b"", WORKER, command, *frames])


def forget(identity, disconnect):
    worker = workers.pop(identity, None)
    if disconnect:
        to_worker(identity, DISCONNECT)  # RFC 7: answer unexpected commands with DISCONNECT
    if worker and identity in idle.get(worker["service"], []):
        idle[worker["service"]].remove(identity)


def dispatch(service):
    while requests.get(service) and idle.get(service):
        identity = idle[service].pop(0)
        client, body = requests[service].pop(0)
        workers[identity]["busy"] = True
        to_worker(identity, REQUEST, client, b"", *body)


def from_client(client, service, body):
    name = service.decode(errors="replace")
    if name.startswith("mmi."):  # RFC 8: the broker answers its own namespace
        if name == "mmi.service":
            wanted = body[0] if body else b""
            code = b"200" if any(w["service"] == wanted for w in workers.values()) else b"404"
        else:
            code = b"501"
        router.send_multipart([client, b"", CLIENT, service, code])
        return
    requests.setdefault(service, []).append((client, body))
    dispatch(service)


def from_worker(identity, command, rest):
    worker = workers.get(identity)
    if command == READY and worker is None and rest and not rest[0].startswith(b"mmi."):
        workers[identity] = {"service": rest[0], "expiry": time.time() + expiry_after, "busy": False}
        idle.setdefault(rest[0], []).append(identity)
        print("READY", rest[0].decode(errors="replace"), flush=True)
        dispatch(rest[0])
    elif command == REPLY and worker is not None and worker["busy"] and len(rest) >= 2 and rest[1] == b"":
        router.send_multipart([rest[0], b"", CLIENT, worker["service"], *rest[2:]])
        worker["busy"] = False
        worker["expiry"] = time.time() + expiry_after
        idle[worker["service"]].append(identity)
        dispatch(worker["service"])
    elif command == HEARTBEAT and worker is not None:
        worker["expiry"] = time.time() + expiry_after
    elif command == DISCONNECT:
        forget(identity, False)
    else:
        forget(identity, True)


next_heartbeat = time.time() + interval
while True:
    if router.poll(max(0, int((next_heartbeat - time.time()) * 1000))):
        frames = router.recv_multipart()
        if len(frames) >= 3 and frames[1] == b"":
            sender, header = frames[0], frames[2]
            if header == CLIENT and len(frames) >= 4:
                from_client(sender, frames[3], frames[4:])
            elif header == WORKER and len(frames) >= 4:
                from_worker(sender, frames[3], frames[4:])
    if time.time() >= next_heartbeat:
        now = time.time()
        for identity, worker in list(workers.items()):
            if not worker["busy"] and worker["expiry"] < now:
                print("EXPIRED", worker["service"].decode(errors="replace"), flush=True)
                forget(identity, False)
        for service_idle in idle.values():
            for identity in service_idle:
                to_worker(identity, HEARTBEAT)
        next_heartbeat = time.time() + interval
