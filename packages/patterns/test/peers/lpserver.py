"""A libzmq Lazy Pirate server (the Guide, chapter 4, "Client-Side Reliability"): a REP socket that echoes
each request after `work_ms`, and at cycle `crash_at` (0: never) exits without replying, as the Guide's
simulated crash. Usage: lpserver.py ENDPOINT WORK_MS CRASH_AT. Prints READY once bound, then "REQUEST n"."""
import sys
import time
import zmq

endpoint, work_ms, crash_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ctx = zmq.Context()
server = ctx.socket(zmq.REP)
server.linger = 0
server.bind(endpoint)
print("READY", flush=True)
cycles = 0
while True:
    request = server.recv_multipart()
    cycles += 1
    if cycles == crash_at:
        print("CRASH", flush=True)
        sys.exit(0)
    print("REQUEST " + request[0].decode(), flush=True)
    time.sleep(work_ms / 1000)
    server.send_multipart(request)
