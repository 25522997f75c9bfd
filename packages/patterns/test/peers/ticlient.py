"""A Titanic client (RFC 9 TSP) over MDP/Client (RFC 7 "MDP/Client": frames "MDPC01", service, body...) on
libzmq via python3-zmq, for the mixed runs.

usage: ticlient.py BROKER COUNT TIMEOUT_MS

Sends COUNT requests to the "echo" service through titanic.request (printing "ACK <i> <uuid>" for each
"200"), then asks titanic.reply for each UUID until it answers "200" (printing "REPLY <uuid> <body>", and
"PENDING <uuid>" the first time it says "300"), then titanic.close (printing "CLOSED <uuid>"); "DONE" at
the end. A request with no reply within TIMEOUT_MS is sent again on a new socket (Lazy Pirate), forever:
Titanic may be down for a while.
"""
import sys
import time

import zmq

MDPC = b"MDPC01"


class Client:
    def __init__(self, broker, timeout):
        self.ctx = zmq.Context()
        self.broker = broker
        self.timeout = timeout
        self.socket = None
        self.connect()

    def connect(self):
        if self.socket is not None:
            self.socket.close(linger=0)
        self.socket = self.ctx.socket(zmq.REQ)
        self.socket.connect(self.broker)

    def call(self, service, body):
        request = [MDPC, service.encode()] + body
        while True:
            self.socket.send_multipart(request)
            if self.socket.poll(self.timeout, zmq.POLLIN):
                reply = self.socket.recv_multipart()
                # RFC 7: reply is "MDPC01", service, body...
                assert reply[0] == MDPC and reply[1] == service.encode(), reply
                return reply[2:]
            self.connect()


def main():
    broker, count, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    client = Client(broker, timeout)
    uuids = []
    for i in range(count):
        status, *rest = client.call("titanic.request", [b"echo", ("message %d" % i).encode()])
        assert status[:3] == b"200", status
        uuid = rest[0].decode()
        assert len(uuid) == 32 and all(c in "0123456789abcdefABCDEF" for c in uuid), uuid
        uuids.append(uuid)
        print("ACK", i, uuid, flush=True)
        time.sleep(0.02)
    for uuid in uuids:
        told = False
        while True:
            status, *rest = client.call("titanic.reply", [uuid.encode()])
            if status[:3] == b"200":
                print("REPLY", uuid, rest[-1].decode(), flush=True)
                break
            assert status[:3] in (b"300", b"500"), status
            if not told:
                print("PENDING", uuid, flush=True)
                told = True
            time.sleep(0.05)
        status, = client.call("titanic.close", [uuid.encode()])
        assert status[:3] == b"200", status
        print("CLOSED", uuid, flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
