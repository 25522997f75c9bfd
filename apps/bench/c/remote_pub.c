/*
 * remote_pub: PUB connects to every endpoint of the comma-separated list read from stdin, waits for the
 * subscriptions to arrive, then publishes `count` messages of `size` bytes, or as many as fit in `seconds`
 * (PUB never blocks: at a subscriber's high-water mark messages are dropped, as in production). Then it
 * repeats the empty end message every 20 ms until the runner closes stdin.
 * With `rate` (messages per second) it publishes at that pace instead, in bursts each millisecond (fanout.ts).
 * usage: remote_pub <size> <count> <seconds> <settle-ms> [rate]
 */
#include "bench.h"

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: remote_pub <size> <count> <seconds> <settle-ms> [rate]\n");
        return 2;
    }
    long size = atol(argv[1]);
    long count = atol(argv[2]);
    double seconds = atof(argv[3]);
    int settle_ms = atoi(argv[4]);
    double rate = argc == 6 ? atof(argv[5]) : 0;
    char endpoints[64 * 1024]; /* up to ~2,000 tcp endpoints (the 1,000-subscriber fan-out) */
    read_endpoints(endpoints, sizeof endpoints);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_PUB);
    for (char *endpoint = strtok(endpoints, ","); endpoint != NULL; endpoint = strtok(NULL, ",")) {
        if (zmq_connect(socket, endpoint) != 0) die("zmq_connect");
    }
    usleep(settle_ms * 1000);
    char *body = malloc(size > 0 ? size : 1);
    memset(body, 'x', size);
    double start = now_seconds();
    double cpu_at_start = cpu_ms();
    double stop = start + seconds;
    long sent = 0;
    if (rate > 0) {
        for (double time = start; sent < count && time <= stop; time = now_seconds()) {
            long due = (long)((time - start) * rate);
            if (due > count) due = count;
            for (; sent < due; sent++) {
                if (zmq_send(socket, body, size, 0) < 0) die("zmq_send");
            }
            usleep(1000);
        }
    } else {
        for (; sent < count; sent++) {
            if (zmq_send(socket, body, size, 0) < 0) die("zmq_send");
            if ((sent & 1023) == 1023 && now_seconds() > stop) {
                sent++;
                break;
            }
        }
    }
    double send_cpu_ms = cpu_ms() - cpu_at_start; /* every thread's CPU while publishing, as remote-pub.ts */
    printf("RESULT {\"sent\":%ld,\"seconds\":%.9f,\"cpuMs\":%.3f,\"sendCpuMs\":%.3f}\n", sent, now_seconds() - start, cpu_ms(), send_cpu_ms);
    fflush(stdout);
    double give_up = now_seconds() + 10;
    while (now_seconds() < give_up) {
        zmq_send(socket, "", 0, ZMQ_DONTWAIT);
        if (stdin_closed(20)) break;
    }
    set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
    zmq_ctx_term(ctx);
    free(body);
    return 0;
}
