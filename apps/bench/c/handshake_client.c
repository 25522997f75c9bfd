/*
 * handshake_client: the connecting side of the CURVE handshake case (src/tools/handshake-client.ts in C).
 * Keeps `concurrency` REQ sockets in flight, in one thread around zmq_poll: each is a CURVE client with the
 * runner's keys (bench.h), connects to the endpoint read from stdin, sends one message and waits for the
 * reply (the handshake has completed at both ends), then closes with linger 0 and is replaced by a new one.
 * Requests carry "w" for `warmup` seconds, then "m" for `seconds`; then, with all of them answered, one
 * last connection sends "e". Reported: the "m" connections and this process's CPU time over that window.
 * usage: handshake_client <concurrency> <warmup-seconds> <seconds>
 */
#include "bench.h"

#define MAX_CLIENTS 64

static void *open_client(void *ctx, const char *endpoint, const char *body) {
    void *client = zmq_socket(ctx, ZMQ_REQ);
    if (client == NULL) die("zmq_socket");
    curve_client(client);
    set_int(client, ZMQ_LINGER, 0);
    if (zmq_connect(client, endpoint) != 0) die("zmq_connect");
    /* The connecter's pipe exists at once (no ZMQ_IMMEDIATE): the request waits in it for the handshake. */
    if (zmq_send(client, body, 1, 0) != 1) die("zmq_send");
    return client;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: handshake_client <concurrency> <warmup-seconds> <seconds>\n");
        return 2;
    }
    int concurrency = atoi(argv[1]);
    if (concurrency < 1 || concurrency > MAX_CLIENTS) {
        fprintf(stderr, "concurrency must be 1…%d\n", MAX_CLIENTS);
        return 2;
    }
    double warmup = atof(argv[2]);
    double seconds = atof(argv[3]);
    char endpoint[512];
    read_endpoints(endpoint, sizeof endpoint);
    void *ctx = zmq_ctx_new();
    void *clients[MAX_CLIENTS];
    char kinds[MAX_CLIENTS];
    zmq_pollitem_t items[MAX_CLIENTS];
    double started = now_seconds(), window_start = 0, window_end = 0, cpu_start = 0, cpu_end = 0, last_progress = started;
    for (int i = 0; i < concurrency; i++) clients[i] = open_client(ctx, endpoint, "w"), kinds[i] = 'w';
    long measured = 0, total = 0;
    int open = concurrency;
    char phase = 'w';
    char buffer[16];
    while (open > 0) {
        int n = 0;
        int index[MAX_CLIENTS];
        for (int i = 0; i < concurrency; i++) {
            if (clients[i] == NULL) continue;
            items[n] = (zmq_pollitem_t){.socket = clients[i], .events = ZMQ_POLLIN};
            index[n++] = i;
        }
        if (zmq_poll(items, n, 100) < 0) die("zmq_poll");
        double now = now_seconds();
        if (phase == 'w' && now - started >= warmup) {
            phase = 'm';
            window_start = now;
            cpu_start = cpu_ms();
        } else if (phase == 'm' && now - window_start >= seconds) {
            phase = 'd'; /* done: no new connections */
            window_end = now;
            cpu_end = cpu_ms();
        }
        for (int k = 0; k < n; k++) {
            if (!(items[k].revents & ZMQ_POLLIN)) continue;
            int i = index[k];
            if (zmq_recv(clients[i], buffer, sizeof buffer, ZMQ_DONTWAIT) < 0) continue;
            zmq_close(clients[i]);
            total++;
            if (kinds[i] == 'm' && phase == 'm') measured++;
            last_progress = now;
            if (phase == 'd') {
                clients[i] = NULL;
                open--;
            } else {
                clients[i] = open_client(ctx, endpoint, phase == 'm' ? "m" : "w");
                kinds[i] = phase;
            }
        }
        if (now - last_progress > 5) {
            fprintf(stderr, "handshake_client: no reply for %.1f s (%ld done)\n", now - last_progress, total);
            return 1;
        }
    }
    /* The end marker, on a connection of its own. */
    void *last = open_client(ctx, endpoint, "e");
    set_int(last, ZMQ_RCVTIMEO, 5000);
    if (zmq_recv(last, buffer, sizeof buffer, 0) < 0) die("zmq_recv (end)");
    zmq_close(last);
    printf("RESULT {\"handshakes\":%ld,\"seconds\":%.9f,\"windowCpuMs\":%.3f,\"total\":%ld,\"concurrency\":%d,\"cpuMs\":%.3f}\n",
           measured, window_end - window_start, cpu_end - cpu_start, total, concurrency, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    zmq_ctx_term(ctx);
    return 0;
}
