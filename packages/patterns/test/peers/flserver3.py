"""A Freelance model-three server on libzmq (python3-zmq), written from RFC 10 (FLP).

Usage: flserver3.py BIND_ENDPOINT PUBLIC_ENDPOINT
A ROUTER whose routing id is PUBLIC_ENDPOINT (RFC 10: a server's identity is its public endpoint), bound to
BIND_ENDPOINT. ["PING"] is answered ["PONG"]; a request [CCF, body...] is answered [CCF, "OK", body...] (the
CCF unmodified, then the reply body). Prints "READY" once bound, "PING" per ping, "REQUEST <CCF> <body|...>"
per request.
"""
import sys
import zmq

bind_endpoint, public_endpoint = sys.argv[1], sys.argv[2]
context = zmq.Context.instance()
server = context.socket(zmq.ROUTER)
server.setsockopt(zmq.IDENTITY, public_endpoint.encode())
server.linger = 0
server.bind(bind_endpoint)
print("READY", flush=True)

while True:
    frames = server.recv_multipart()
    if len(frames) < 2:
        continue
    client, control, body = frames[0], frames[1], frames[2:]
    if not body:
        if control == b"PING":
            print("PING", flush=True)
            server.send_multipart([client, b"PONG"])
        continue  # a one-frame message that is not PING: not FLP
    print("REQUEST", control.decode(), b"|".join(body).decode(), flush=True)
    server.send_multipart([client, control, b"OK"] + body)
