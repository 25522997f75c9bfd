"""A Majordomo worker on libzmq (python3-zmq), written from RFC 7 (MDP/Worker).

Usage: md_worker.py ENDPOINT SERVICE [HEARTBEAT_MS]
A DEALER that sends READY, answers each REQUEST with "<SERVICE>" followed by the request's frames, heartbeats
while idle, and starts over on a new socket after DISCONNECT or three silent heartbeat intervals.
Prints "CONNECT" per (re)registration and "REQUEST <frames joined by |>" per request.
"""
import sys
import time
import zmq

WORKER = b"MDPW01"
READY, REQUEST, REPLY, HEARTBEAT, DISCONNECT = b"\x01", b"\x02", b"\x03", b"\x04", b"\x05"

endpoint, service = sys.argv[1], sys.argv[2].encode()
interval = (int(sys.argv[3]) if len(sys.argv) > 3 else 2500) / 1000.0
context = zmq.Context.instance()


def connect():
    socket = context.socket(zmq.DEALER)
    socket.linger = 0
    socket.connect(endpoint)
    socket.send_multipart([b"", WORKER, READY, service])
    print("CONNECT", flush=True)
    return socket


socket = connect()
liveness = 3
next_heartbeat = time.time() + interval
while True:
    if socket.poll(int(interval * 1000)):
        frames = socket.recv_multipart()
        liveness = 3
        if len(frames) < 3 or frames[0] != b"" or frames[1] != WORKER:
            continue
        command = frames[2]
        if command == REQUEST and len(frames) >= 5 and frames[4] == b"":
            body = frames[5:]
            print("REQUEST", b"|".join(body).decode(errors="replace"), flush=True)
            socket.send_multipart([b"", WORKER, REPLY, frames[3], b"", service, *body])
        elif command == DISCONNECT:
            socket.close()
            socket = connect()
    else:
        liveness -= 1
        if liveness == 0:  # RFC 7: the broker is gone; start a new conversation on a new socket
            socket.close()
            time.sleep(interval)
            socket = connect()
            liveness = 3
    if time.time() >= next_heartbeat:
        socket.send_multipart([b"", WORKER, HEARTBEAT])
        next_heartbeat = time.time() + interval
