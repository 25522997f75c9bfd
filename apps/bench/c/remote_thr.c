/*
 * remote_thr: PUSH connects to the endpoint read from stdin and sends `count` messages of `size` bytes, or as
 * many as fit in `seconds`, then the empty end message (libzmq's perf/remote_thr, bounded by time). A CURVE
 * client when the runner gives keys (bench.h). Built a second time as remote_thr_dealer
 * (-DSOCKET_TYPE=ZMQ_DEALER, lib/c-build.ts): the sending side of the DEALER→ROUTER throughput case.
 * usage: remote_thr <size> <count> <seconds>
 */
#include "bench.h"

#ifndef SOCKET_TYPE
#define SOCKET_TYPE ZMQ_PUSH
#define TOOL_NAME "remote_thr"
#endif

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s <size> <count> <seconds>\n", TOOL_NAME);
        return 2;
    }
    long size = atol(argv[1]);
    long count = atol(argv[2]);
    double seconds = atof(argv[3]);
    char endpoint[512];
    read_endpoints(endpoint, sizeof endpoint);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, SOCKET_TYPE);
    curve_client(socket);
    if (zmq_connect(socket, endpoint) != 0) die("zmq_connect");
    char *body = malloc(size > 0 ? size : 1);
    memset(body, 'x', size);
    double start = now_seconds();
    double stop = start + seconds;
    long sent = 0;
    for (; sent < count; sent++) {
        if (zmq_send(socket, body, size, 0) < 0) die("zmq_send");
        if ((sent & 1023) == 1023 && now_seconds() > stop) {
            sent++;
            break;
        }
    }
    if (zmq_send(socket, "", 0, 0) < 0) die("zmq_send");
    printf("RESULT {\"sent\":%ld,\"seconds\":%.9f,\"cpuMs\":%.3f}\n", sent, now_seconds() - start, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
    zmq_ctx_term(ctx);
    free(body);
    return 0;
}
