"""The libzmq side of a fault case (Debian's python3-zmq, libzmq 4.3.4): the same roles and line protocol
as peer-client.ts / peer-server.ts (see protocol.ts), so a case can put libzmq on either side.

  python3 peer_libzmq.py client   DEALER at ADDRESS (+ SUB at SUB_ADDRESS), one [seq, payload, sha1] per RATE_MS
  python3 peer_libzmq.py server   ROUTER echo at ADDRESS (+ PUB ticks at PUB_ADDRESS); MODE=rep: REP "reply:<x>"

Options come as zmq-ts names in OPTIONS (JSON) and are mapped to libzmq's here.
"""
import hashlib
import json
import os
import random
import sys
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

NAMES = {
    "heartbeatInterval": zmq.HEARTBEAT_IVL,
    "heartbeatTimeout": zmq.HEARTBEAT_TIMEOUT,
    "heartbeatTimeToLive": zmq.HEARTBEAT_TTL,
    "reconnectInterval": zmq.RECONNECT_IVL,
    "reconnectIntervalMax": zmq.RECONNECT_IVL_MAX,
    "connectTimeout": zmq.CONNECT_TIMEOUT,
    "sendHighWaterMark": zmq.SNDHWM,
    "receiveHighWaterMark": zmq.RCVHWM,
    "routingId": zmq.ROUTING_ID,
}
EVENTS = {
    zmq.EVENT_CONNECTED: "connect",
    zmq.EVENT_DISCONNECTED: "disconnect",
    zmq.EVENT_ACCEPTED: "accept",
    zmq.EVENT_CONNECT_RETRIED: "connect:retry",
    zmq.EVENT_HANDSHAKE_SUCCEEDED: "handshake",
}
QUIET_MS = 400


def now():
    return int(time.time() * 1000)


def say(**line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def configure(socket, options, shared_only=False):
    socket.setsockopt(zmq.LINGER, 0)
    for name, value in options.items():
        if shared_only and name in ("routingId", "sendHighWaterMark"):
            continue
        if name == "routingId":
            socket.setsockopt(zmq.ROUTING_ID, value.encode())
        elif name in NAMES:
            socket.setsockopt(NAMES[name], int(value))


def checksum(seq, payload):
    return hashlib.sha1(seq + payload).hexdigest().encode()


def main():
    role = sys.argv[1]
    options = json.loads(os.environ.get("OPTIONS", "{}"))
    context = zmq.Context()
    poller = zmq.Poller()
    poller.register(sys.stdin.fileno(), zmq.POLLIN)
    main_socket = context.socket(zmq.DEALER if role == "client" else (zmq.REP if os.environ.get("MODE") == "rep" else zmq.ROUTER))
    configure(main_socket, options)
    monitor = main_socket.get_monitor_socket()
    poller.register(monitor, zmq.POLLIN)
    poller.register(main_socket, zmq.POLLIN)
    stats = {"sent": 0, "eagain": 0, "received": 0, "gaps": 0, "lostInGaps": 0, "duplicated": 0, "reordered": 0,
             "corrupt": 0, "partial": 0, "ticks": 0, "identities": []}
    sub = pub = None
    if role == "client":
        main_socket.connect(os.environ["ADDRESS"])
        if os.environ.get("SUB_ADDRESS"):
            sub = context.socket(zmq.SUB)
            configure(sub, options, shared_only=True)
            sub.setsockopt(zmq.SUBSCRIBE, b"t")
            sub.connect(os.environ["SUB_ADDRESS"])
            poller.register(sub, zmq.POLLIN)
    else:
        main_socket.bind(os.environ["ADDRESS"])
        if os.environ.get("PUB_ADDRESS"):
            pub = context.socket(zmq.PUB)
            configure(pub, options, shared_only=True)
            pub.bind(os.environ["PUB_ADDRESS"])
    rate = int(os.environ.get("RATE_MS", "20")) / 1000
    size = int(os.environ.get("SIZE", "512"))
    sending = role == "client"
    next_seq = int(os.environ.get("SEQ_START", "0"))
    refused = set()
    sent_at = {}
    round_trips = []
    last_seq = next_seq - 1
    last_seq_by_id = {}
    last_reply = last_tick = 0
    next_send = next_tick = time.time()
    pending = b""
    say(ev="ready", t=now())
    while True:
        wake = min(next_send if sending else float("inf"), next_tick if pub is not None else float("inf"))
        timeout = None if wake == float("inf") else max(0, (wake - time.time()) * 1000)
        events = dict(poller.poll(timeout))
        if sending and time.time() >= next_send:
            next_send += rate
            number = next_seq
            next_seq += 1
            seq = str(number).encode()
            payload = os.urandom(1 + random.randrange(size))
            sent_at[number] = now()
            try:
                main_socket.send_multipart([seq, payload, checksum(seq, payload)], zmq.NOBLOCK)
                stats["sent"] += 1
            except zmq.Again:
                stats["eagain"] += 1
                refused.add(number)
        if pub is not None and time.time() >= next_tick:
            next_tick += 0.05
            pub.send_multipart([b"t", str(stats["ticks"]).encode()])
            stats["ticks"] += 1
        if monitor in events:
            event = recv_monitor_message(monitor)
            if event["event"] in EVENTS:
                say(ev=EVENTS[event["event"]], t=now())
        if sub is not None and sub in events:
            while sub.poll(0):
                sub.recv_multipart()
                t = now()
                if last_tick and t - last_tick >= QUIET_MS:
                    say(ev="resumed", what="tick", t=t, quietMs=t - last_tick)
                last_tick = t
                stats["ticks"] += 1
        if main_socket in events:
            while main_socket.poll(0):
                frames = main_socket.recv_multipart()
                if role == "server" and os.environ.get("MODE") == "rep":
                    stats["received"] += 1
                    main_socket.send(b"reply:" + frames[0])
                    continue
                routing_id = b""
                if role == "server":
                    routing_id = frames[0]
                    if routing_id.hex() not in stats["identities"]:
                        stats["identities"].append(routing_id.hex())
                    body = frames[1:]
                else:
                    t = now()
                    if last_reply and t - last_reply >= QUIET_MS:
                        say(ev="resumed", what="reply", t=t, quietMs=t - last_reply)
                    last_reply = t
                    body = frames
                if len(body) != 3:
                    stats["partial"] += 1
                    continue
                if checksum(body[0], body[1]) != body[2]:
                    stats["corrupt"] += 1
                    continue
                stats["received"] += 1
                if role == "client" and stats["received"] == 1:
                    say(ev="first-echo", t=now())
                seq = int(body[0])
                if role == "client" and seq in sent_at:
                    round_trips.append(now() - sent_at.pop(seq))
                last = last_seq_by_id.get(routing_id, -1) if role == "server" else last_seq
                if seq == last:
                    stats["duplicated"] += 1
                elif seq < last:
                    stats["reordered"] += 1
                else:
                    lost = sum(1 for missing in range(last + 1, seq) if missing not in refused)
                    if lost and role == "client":
                        stats["gaps"] += 1
                        stats["lostInGaps"] += lost
                    if role == "server":
                        last_seq_by_id[routing_id] = seq
                    else:
                        last_seq = seq
                if role == "server":
                    main_socket.send_multipart(frames)
        if sys.stdin.fileno() in events:
            chunk = os.read(sys.stdin.fileno(), 4096)
            if chunk == b"":
                # The orchestrator is gone (even SIGKILLed): so are we, at once.
                os._exit(0)
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line == b"stop":
                    sending = False
                elif line == b"stats":
                    ordered = sorted(round_trips)
                    p50 = ordered[len(ordered) // 2] if ordered else -1
                    p100 = ordered[-1] if ordered else -1
                    say(ev="stats", t=now(), rttP50=p50, rttMax=p100, **stats)


if __name__ == "__main__":
    main()
