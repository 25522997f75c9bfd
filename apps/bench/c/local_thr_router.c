/*
 * local_thr_router: ROUTER binds and receives [routing id, body] messages of `size` bytes until the empty
 * end message, measured as local_thr measures PULL: the receiving side of the DEALER→ROUTER throughput case.
 * usage: local_thr_router <bind-address> <size> <warmup-seconds> <deadline-ms>
 */
#include "bench.h"

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: local_thr_router <bind-address> <size> <warmup-seconds> <deadline-ms>\n");
        return 2;
    }
    const char *address = argv[1];
    long size = atol(argv[2]);
    meter_t meter;
    meter_init(&meter, atof(argv[3]));
    int deadline_ms = atoi(argv[4]);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_ROUTER);
    char endpoint[512];
    bind_resolved(socket, address, endpoint, sizeof endpoint);
    printf("READY %s\n", endpoint);
    fflush(stdout);
    double deadline = now_seconds() + deadline_ms / 1e3;
    set_int(socket, ZMQ_RCVTIMEO, deadline_ms);
    zmq_msg_t routing_id, message;
    zmq_msg_init(&routing_id);
    zmq_msg_init(&message);
    long bad = 0;
    for (;;) {
        if (zmq_msg_recv(&routing_id, socket, 0) < 0) break; /* deadline (EAGAIN) */
        int rc = zmq_msg_recv(&message, socket, 0);
        if (rc < 0) break;
        if (rc != size) {
            if (rc == 0) break;
            bad++;
        }
        meter_add(&meter);
        if ((meter.seen & 4095) == 0 && now_seconds() > deadline) break;
    }
    double end = now_seconds();
    zmq_msg_close(&routing_id);
    zmq_msg_close(&message);
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
