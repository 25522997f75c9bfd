"""A Freelance model-three client on libzmq (python3-zmq), written from RFC 10 (FLP).

Usage: flclient3.py REQUESTS TIMEOUT_MS ENDPOINT...
A ROUTER with no identity of its own (RFC 10: clients use transient sockets) connected to each ENDPOINT,
which is also that server's routing id. It PINGs every server until each has answered PONG once, then sends
REQUESTS requests [CCF = sequence number, "request <n>"], one at a time, to the first server it believes
alive; a server that does not answer within TIMEOUT_MS is dropped and the request goes to the next. Replies
whose CCF is not the current sequence number are ignored.
Prints "ALIVE <endpoint>" per first PONG, "REPLY <n> <endpoint> <body|...>" per reply, "DEAD <endpoint>" when
it drops a server, then "DONE <replies>" (or "FAILED <n>" when no server is left).
"""
import sys
import time
import zmq

requests, timeout = int(sys.argv[1]), int(sys.argv[2])
endpoints = sys.argv[3:]
context = zmq.Context.instance()
client = context.socket(zmq.ROUTER)
client.linger = 0
for endpoint in endpoints:
    client.connect(endpoint)
poller = zmq.Poller()
poller.register(client, zmq.POLLIN)

# Servers are silent until spoken to: ping them (ROUTER drops what it cannot route yet) until each answers.
alive = []
while len(alive) < len(endpoints):
    for endpoint in endpoints:
        if endpoint not in alive:
            client.send_multipart([endpoint.encode(), b"PING"])
    deadline = time.time() + 0.05
    while time.time() < deadline:
        if poller.poll(10):
            frames = client.recv_multipart()
            server = frames[0].decode()
            if frames[1:] == [b"PONG"] and server not in alive:
                alive.append(server)
                print("ALIVE", server, flush=True)
alive.sort(key=endpoints.index)

replies = 0
for sequence in range(1, requests + 1):
    answered = False
    while alive and not answered:
        server = alive[0]
        client.send_multipart([server.encode(), str(sequence).encode(), ("request %d" % sequence).encode()])
        deadline = time.time() + timeout / 1000.0
        while time.time() < deadline:
            if not poller.poll(max(1, int((deadline - time.time()) * 1000))):
                continue
            frames = client.recv_multipart()
            if len(frames) >= 3 and frames[1] == str(sequence).encode():
                replies += 1
                print("REPLY", sequence, frames[0].decode(), b"|".join(frames[2:]).decode(), flush=True)
                answered = True
                break
        if not answered:
            print("DEAD", alive.pop(0), flush=True)
    if not answered:
        print("FAILED", sequence, flush=True)
        sys.exit(1)
print("DONE", replies, flush=True)
