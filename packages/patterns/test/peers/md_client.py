"""A synchronous Majordomo client on libzmq (python3-zmq), written from RFC 7 (MDP/Client) and RFC 8 (MMI).

Usage: md_client.py ENDPOINT SERVICE COUNT [BODY] [TIMEOUT_MS]
A REQ socket; sends COUNT requests one at a time, body "<BODY><i>" (BODY defaults to "r"; with COUNT 1 the
body is BODY alone, for MMI lookups). After TIMEOUT_MS without a reply it opens a new socket and resends,
three tries in all. Prints "REPLY <i> <frames joined by |>" per reply, "FAILED <i>" if none came, then "DONE <n>".
"""
import sys
import zmq

CLIENT = b"MDPC01"
endpoint, service, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
prefix = sys.argv[4] if len(sys.argv) > 4 else "r"
timeout = int(sys.argv[5]) if len(sys.argv) > 5 else 2500
context = zmq.Context.instance()


def fresh():
    socket = context.socket(zmq.REQ)
    socket.linger = 0
    socket.connect(endpoint)
    return socket


socket = fresh()
answered = 0
for i in range(count):
    body = (prefix if count == 1 else "%s%d" % (prefix, i)).encode()
    reply = None
    for attempt in range(3):
        socket.send_multipart([CLIENT, service, body])
        if socket.poll(timeout):
            frames = socket.recv_multipart()
            if len(frames) >= 2 and frames[0] == CLIENT and frames[1] == service:
                reply = frames[2:]
                break
        socket.close()  # a REQ that lost its reply cannot send again
        socket = fresh()
    if reply is None:
        print("FAILED", i, flush=True)
        break
    answered += 1
    print("REPLY", i, b"|".join(reply).decode(errors="replace"), flush=True)
print("DONE", answered, flush=True)
