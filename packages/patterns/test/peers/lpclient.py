"""A libzmq Lazy Pirate client (the Guide, chapter 4, "Client-Side Reliability"): REQ, a poll of
`timeout_ms` per try, a new socket after each timeout, `retries` sends in all, then it abandons. Each
request is its sequence number and the reply must echo it. Usage: lpclient.py ENDPOINT TIMEOUT_MS RETRIES
COUNT. Prints "OK n", "RETRY n", "ABANDON n", and "DONE" after COUNT replies."""
import sys
import zmq

endpoint, timeout_ms, retries, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ctx = zmq.Context()


def connect():
    client = ctx.socket(zmq.REQ)
    client.linger = 0
    client.connect(endpoint)
    return client


client = connect()
for sequence in range(1, count + 1):
    request = str(sequence).encode()
    client.send(request)
    left = retries
    while True:
        if client.poll(timeout_ms, zmq.POLLIN):
            reply = client.recv_multipart()
            if reply == [request]:
                print("OK %d" % sequence, flush=True)
                break
            print("MALFORMED %r" % reply, flush=True)
            continue
        left -= 1
        client.close()
        if left == 0:
            print("ABANDON %d" % sequence, flush=True)
            sys.exit(0)
        print("RETRY %d" % sequence, flush=True)
        client = connect()
        client.send(request)
print("DONE", flush=True)
