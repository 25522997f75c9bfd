"""An asynchronous Majordomo client on libzmq (python3-zmq), written from RFC 7 (MDP/Client over DEALER).

Usage: md_async_client.py ENDPOINT SERVICE COUNT [TIMEOUT_MS]
Sends COUNT requests ("a<i>") at once, writing frame 0 itself as RFC 7 asks of a DEALER, then reads replies
until COUNT came or TIMEOUT_MS passed without one. Prints "DONE <replies> <distinct bodies>".
"""
import sys
import zmq

CLIENT = b"MDPC01"
endpoint, service, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
timeout = int(sys.argv[4]) if len(sys.argv) > 4 else 2500

socket = zmq.Context.instance().socket(zmq.DEALER)
socket.linger = 0
socket.connect(endpoint)
for i in range(count):
    socket.send_multipart([b"", CLIENT, service, b"a%d" % i])
replies, bodies = 0, set()
while replies < count and socket.poll(timeout):
    frames = socket.recv_multipart()
    if len(frames) >= 3 and frames[0] == b"" and frames[1] == CLIENT and frames[2] == service:
        replies += 1
        bodies.add(b"|".join(frames[3:]))
print("DONE", replies, len(bodies), flush=True)
