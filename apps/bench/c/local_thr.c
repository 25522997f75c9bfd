/*
 * local_thr: PULL binds, receives messages of `size` bytes until the empty end message, and reports those
 * received after a warm-up and the time from the end of the warm-up to the end message (libzmq's
 * perf/local_thr, with a warm-up and bounded by a deadline). A CURVE server when the runner gives keys (bench.h).
 * Built a second time as local_thr_router (-DSOCKET_TYPE=ZMQ_ROUTER -DROUTING_ID, lib/c-build.ts): a ROUTER
 * receiving [routing id, body], the receiving side of the DEALER→ROUTER throughput case.
 * usage: local_thr <bind-address> <size> <warmup-seconds> <deadline-ms>
 */
#include "bench.h"

#ifndef SOCKET_TYPE
#define SOCKET_TYPE ZMQ_PULL
#define TOOL_NAME "local_thr"
#endif

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <bind-address> <size> <warmup-seconds> <deadline-ms>\n", TOOL_NAME);
        return 2;
    }
    const char *address = argv[1];
    long size = atol(argv[2]);
    meter_t meter;
    meter_init(&meter, atof(argv[3]));
    int deadline_ms = atoi(argv[4]);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, SOCKET_TYPE);
    curve_server(socket);
    char endpoint[512];
    bind_resolved(socket, address, endpoint, sizeof endpoint);
    printf("READY %s\n", endpoint);
    fflush(stdout);
    double deadline = now_seconds() + deadline_ms / 1e3;
    set_int(socket, ZMQ_RCVTIMEO, deadline_ms);
    zmq_msg_t message;
    zmq_msg_init(&message);
#ifdef ROUTING_ID
    zmq_msg_t routing_id;
    zmq_msg_init(&routing_id);
#endif
    long bad = 0;
    for (;;) {
#ifdef ROUTING_ID
        if (zmq_msg_recv(&routing_id, socket, 0) < 0) break; /* deadline (EAGAIN) */
#endif
        int rc = zmq_msg_recv(&message, socket, 0);
        if (rc < 0) break; /* deadline (EAGAIN) */
        if (rc != size) {
            if (rc == 0) break;
            bad++;
        }
        meter_add(&meter);
        if ((meter.seen & 4095) == 0 && now_seconds() > deadline) break;
    }
    double end = now_seconds();
    zmq_msg_close(&message);
#ifdef ROUTING_ID
    zmq_msg_close(&routing_id);
#endif
    printf("RESULT {");
    meter_print(&meter, end);
    printf(",\"badSize\":%ld,\"cpuMs\":%.3f}\n", bad, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
    zmq_ctx_term(ctx);
    return 0;
}
