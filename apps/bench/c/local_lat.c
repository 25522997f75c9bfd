/*
 * local_lat: REP binds and echoes every request until the empty end message (libzmq's perf/local_lat).
 * usage: local_lat <bind-address> <deadline-ms>
 */
#include "bench.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: local_lat <bind-address> <deadline-ms>\n");
        return 2;
    }
    const char *address = argv[1];
    int deadline_ms = atoi(argv[2]);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_REP);
    char endpoint[512];
    bind_resolved(socket, address, endpoint, sizeof endpoint);
    printf("READY %s\n", endpoint);
    fflush(stdout);
    set_int(socket, ZMQ_RCVTIMEO, deadline_ms);
    zmq_msg_t message;
    zmq_msg_init(&message);
    long echoed = 0;
    for (;;) {
        int rc = zmq_msg_recv(&message, socket, 0);
        if (rc < 0) break;
        if (zmq_msg_send(&message, socket, 0) < 0) die("zmq_msg_send");
        if (rc == 0) break;
        echoed++;
    }
    zmq_msg_close(&message);
    printf("RESULT {\"echoed\":%ld,\"cpuMs\":%.3f}\n", echoed, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
    zmq_ctx_term(ctx);
    return 0;
}
