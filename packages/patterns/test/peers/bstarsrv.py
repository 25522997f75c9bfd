"""A Binary Star server (the Guide, chapter 4, "High-Availability Pair": "Detailed Requirements" and the
finite-state machine of Figure 54; there is no RFC) on libzmq via python3-zmq, for the mixed runs.

usage: bstarsrv.py primary|backup FRONTEND STATE_PUB STATE_SUB HEARTBEAT_MS NAME

It binds a ROUTER on FRONTEND and echoes each accepted request with NAME appended as a last frame, publishes
its state ("1".."4") on STATE_PUB every heartbeat, and reads its peer's from STATE_SUB. A passive server
takes over only on a client request after two silent heartbeats of its peer (the split-brain rule); a
starting primary waits the same before answering, in case its backup has taken over. Prints "STATE <name>"
on every change and "FATAL dual actives" / "FATAL dual passives" before exiting 1.
"""
import sys
import time

import zmq

PRIMARY, BACKUP, ACTIVE, PASSIVE = 1, 2, 3, 4
CLIENT_REQUEST = 5
NAMES = {PRIMARY: "PRIMARY", BACKUP: "BACKUP", ACTIVE: "ACTIVE", PASSIVE: "PASSIVE"}


def now():
    return time.monotonic() * 1000


class Pair:
    def __init__(self, state, heartbeat):
        self.state = state
        self.heartbeat = heartbeat
        self.peer_expiry = now() + 2 * heartbeat

    def apply(self, event):
        """Returns (serve, fatal); changes self.state as the chapter's table says."""
        dead = now() >= self.peer_expiry
        s = self.state
        if s == PRIMARY:
            if event == BACKUP:
                self.state = ACTIVE
            elif event == ACTIVE:
                self.state = PASSIVE
            elif event == CLIENT_REQUEST:
                if not dead:
                    return False, None
                self.state = ACTIVE
        elif s == BACKUP:
            if event == ACTIVE:
                self.state = PASSIVE
            elif event == CLIENT_REQUEST:
                return False, None
        elif s == ACTIVE:
            if event == ACTIVE:
                return False, "dual actives"
        elif s == PASSIVE:
            if event in (PRIMARY, BACKUP):
                self.state = ACTIVE
            elif event == PASSIVE:
                return False, "dual passives"
            elif event == CLIENT_REQUEST:
                if not dead:
                    return False, None
                self.state = ACTIVE
        return event != CLIENT_REQUEST or self.state == ACTIVE, None


def main():
    role, frontend_ep, pub_ep, sub_ep, heartbeat, name = sys.argv[1:7]
    heartbeat = int(heartbeat)
    ctx = zmq.Context()
    frontend = ctx.socket(zmq.ROUTER)
    frontend.bind(frontend_ep)
    statepub = ctx.socket(zmq.PUB)
    statepub.bind(pub_ep)
    statesub = ctx.socket(zmq.SUB)
    statesub.setsockopt(zmq.SUBSCRIBE, b"")
    statesub.connect(sub_ep)
    pair = Pair(PRIMARY if role == "primary" else BACKUP, heartbeat)
    print("STATE", NAMES[pair.state], flush=True)
    poller = zmq.Poller()
    poller.register(frontend, zmq.POLLIN)
    poller.register(statesub, zmq.POLLIN)
    send_at = now() + heartbeat
    while True:
        before = pair.state
        events = dict(poller.poll(max(0, send_at - now())))
        if frontend in events:
            message = frontend.recv_multipart()
            serve, _ = pair.apply(CLIENT_REQUEST)
            if serve:
                frontend.send_multipart(message + [name.encode()])
        if statesub in events:
            text = statesub.recv().decode("latin1").strip("\0").strip()
            if text in ("1", "2", "3", "4"):
                _, fatal = pair.apply(int(text))
                if fatal:
                    print("FATAL", fatal, flush=True)
                    sys.exit(1)
                pair.peer_expiry = now() + 2 * heartbeat
        if pair.state != before:
            print("STATE", NAMES[pair.state], flush=True)
        if now() >= send_at:
            statepub.send(str(pair.state).encode())
            send_at = now() + heartbeat


if __name__ == "__main__":
    main()
