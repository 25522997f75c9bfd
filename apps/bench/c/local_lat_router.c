/*
 * local_lat_router: ROUTER binds and sends every [routing id, body] straight back to its peer until the
 * empty end message (echoed too): the echoing side of the DEALER↔ROUTER latency case.
 * usage: local_lat_router <bind-address> <deadline-ms>
 */
#include "bench.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: local_lat_router <bind-address> <deadline-ms>\n");
        return 2;
    }
    const char *address = argv[1];
    int deadline_ms = atoi(argv[2]);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_ROUTER);
    char endpoint[512];
    bind_resolved(socket, address, endpoint, sizeof endpoint);
    printf("READY %s\n", endpoint);
    fflush(stdout);
    set_int(socket, ZMQ_RCVTIMEO, deadline_ms);
    zmq_msg_t routing_id, message;
    zmq_msg_init(&routing_id);
    zmq_msg_init(&message);
    long echoed = 0;
    for (;;) {
        if (zmq_msg_recv(&routing_id, socket, 0) < 0) break;
        int rc = zmq_msg_recv(&message, socket, 0);
        if (rc < 0) break;
        if (zmq_msg_send(&routing_id, socket, ZMQ_SNDMORE) < 0) die("zmq_msg_send");
        if (zmq_msg_send(&message, socket, 0) < 0) die("zmq_msg_send");
        if (rc == 0) break;
        echoed++;
    }
    zmq_msg_close(&routing_id);
    zmq_msg_close(&message);
    printf("RESULT {\"echoed\":%ld,\"cpuMs\":%.3f}\n", echoed, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
    zmq_ctx_term(ctx);
    return 0;
}
