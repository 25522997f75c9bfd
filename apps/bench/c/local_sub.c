/*
 * local_sub: `n` SUB sockets each bind (tcp://127.0.0.1:* or <ipc-prefix>-<i>), subscribe to everything, and
 * are read in one thread with zmq_poll until each has seen the empty end message (or, since PUB drops at its
 * high-water mark, until no data came for a second). Reports the aggregate delivery rate: data messages
 * received on all sockets after a warm-up, over the time from the end of the warm-up to the last one.
 * usage: local_sub <tcp|ipc-prefix> <n> <warmup-seconds> <deadline-ms>
 */
#include "bench.h"

/* up to the 1,000-subscriber fan-out (fanout.ts) and more; the arrays are static, not on the stack */
#define MAX_SUBSCRIBERS 2048

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: local_sub <tcp|ipc-prefix> <n> <warmup-seconds> <deadline-ms>\n");
        return 2;
    }
    const char *where = argv[1];
    int n = atoi(argv[2]);
    meter_t meter;
    meter_init(&meter, atof(argv[3]));
    int deadline_ms = atoi(argv[4]);
    if (n < 1 || n > MAX_SUBSCRIBERS) return 2;
    void *ctx = zmq_ctx_new();
    static void *sockets[MAX_SUBSCRIBERS];
    static zmq_pollitem_t items[MAX_SUBSCRIBERS];
    static int ended[MAX_SUBSCRIBERS];
    static char endpoints[MAX_SUBSCRIBERS * 128];
    for (int i = 0; i < n; i++) {
        sockets[i] = zmq_socket(ctx, ZMQ_SUB);
        if (zmq_setsockopt(sockets[i], ZMQ_SUBSCRIBE, "", 0) != 0) die("zmq_setsockopt(ZMQ_SUBSCRIBE)");
        char address[512];
        if (strcmp(where, "tcp") == 0) snprintf(address, sizeof address, "tcp://127.0.0.1:*");
        else snprintf(address, sizeof address, "%s-%d", where, i);
        char endpoint[512];
        bind_resolved(sockets[i], address, endpoint, sizeof endpoint);
        if (i > 0) strcat(endpoints, ",");
        strcat(endpoints, endpoint);
        items[i].socket = sockets[i];
        items[i].fd = 0;
        items[i].events = ZMQ_POLLIN;
        items[i].revents = 0;
    }
    printf("READY %s\n", endpoints);
    fflush(stdout);
    double deadline = now_seconds() + deadline_ms / 1e3;
    zmq_msg_t message;
    zmq_msg_init(&message);
    double last = 0;
    long tick = 0;
    int remaining = n;
    while (remaining > 0) {
        double now = now_seconds();
        if (now > deadline) break;
        if (last != 0 && now - last > 1.0) break; /* ends dropped at the publisher's HWM: idle means done */
        int rc = zmq_poll(items, n, 100);
        if (rc < 0) die("zmq_poll");
        for (int i = 0; i < n; i++) {
            if (!(items[i].revents & ZMQ_POLLIN)) continue;
            for (;;) {
                int size = zmq_msg_recv(&message, sockets[i], ZMQ_DONTWAIT);
                if (size < 0) break;
                if (size == 0) {
                    if (!ended[i]) {
                        ended[i] = 1;
                        remaining--;
                    }
                    continue;
                }
                meter_add(&meter);
                /* when the last data message arrived, read every 16 messages as the TypeScript tool does */
                if ((++tick & 15) == 0 || last == 0) last = now_seconds();
            }
        }
    }
    zmq_msg_close(&message);
    printf("RESULT {");
    meter_print(&meter, last);
    printf(",\"ended\":%d,\"cpuMs\":%.3f}\n", n - remaining, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    for (int i = 0; i < n; i++) {
        set_int(sockets[i], ZMQ_LINGER, 0);
        zmq_close(sockets[i]);
    }
    zmq_ctx_term(ctx);
    return 0;
}
