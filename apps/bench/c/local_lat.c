/*
 * local_lat: REP binds and echoes every request until the empty end message (libzmq's perf/local_lat).
 * Built a second time as local_lat_router (-DSOCKET_TYPE=ZMQ_ROUTER -DROUTING_ID, lib/c-build.ts): a ROUTER
 * sending every [routing id, body] straight back, the echoing side of the DEALER↔ROUTER latency case.
 * usage: local_lat <bind-address> <deadline-ms>
 */
#include "bench.h"

#ifndef SOCKET_TYPE
#define SOCKET_TYPE ZMQ_REP
#define TOOL_NAME "local_lat"
#endif

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <bind-address> <deadline-ms>\n", TOOL_NAME);
        return 2;
    }
    const char *address = argv[1];
    int deadline_ms = atoi(argv[2]);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, SOCKET_TYPE);
    char endpoint[512];
    bind_resolved(socket, address, endpoint, sizeof endpoint);
    printf("READY %s\n", endpoint);
    fflush(stdout);
    set_int(socket, ZMQ_RCVTIMEO, deadline_ms);
    zmq_msg_t message;
    zmq_msg_init(&message);
#ifdef ROUTING_ID
    zmq_msg_t routing_id;
    zmq_msg_init(&routing_id);
#endif
    long echoed = 0;
    for (;;) {
#ifdef ROUTING_ID
        if (zmq_msg_recv(&routing_id, socket, 0) < 0) break;
#endif
        int rc = zmq_msg_recv(&message, socket, 0);
        if (rc < 0) break;
#ifdef ROUTING_ID
        if (zmq_msg_send(&routing_id, socket, ZMQ_SNDMORE) < 0) die("zmq_msg_send");
#endif
        if (zmq_msg_send(&message, socket, 0) < 0) die("zmq_msg_send");
        if (rc == 0) break;
        echoed++;
    }
    zmq_msg_close(&message);
#ifdef ROUTING_ID
    zmq_msg_close(&routing_id);
#endif
    printf("RESULT {\"echoed\":%ld,\"cpuMs\":%.3f}\n", echoed, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
    zmq_ctx_term(ctx);
    return 0;
}
