/*
 * local_lat_pubsub: a SUB (subscribed to everything) binds the first address, a PUB the second, and every
 * message the SUB receives is republished on the PUB until the empty end message (republished too): the
 * echoing side of the PUB/SUB round-trip case.
 * usage: local_lat_pubsub <sub-bind-address> <pub-bind-address> <deadline-ms>
 */
#include "bench.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: local_lat_pubsub <sub-bind-address> <pub-bind-address> <deadline-ms>\n");
        return 2;
    }
    int deadline_ms = atoi(argv[3]);
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) != 0) die("zmq_setsockopt(ZMQ_SUBSCRIBE)");
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    char sub_endpoint[512], pub_endpoint[512];
    bind_resolved(sub, argv[1], sub_endpoint, sizeof sub_endpoint);
    bind_resolved(pub, argv[2], pub_endpoint, sizeof pub_endpoint);
    printf("READY %s,%s\n", sub_endpoint, pub_endpoint);
    fflush(stdout);
    set_int(sub, ZMQ_RCVTIMEO, deadline_ms);
    zmq_msg_t message;
    zmq_msg_init(&message);
    long echoed = 0;
    for (;;) {
        int rc = zmq_msg_recv(&message, sub, 0);
        if (rc < 0) break;
        if (zmq_msg_send(&message, pub, 0) < 0) die("zmq_msg_send");
        if (rc == 0) break;
        echoed++;
    }
    zmq_msg_close(&message);
    printf("RESULT {\"echoed\":%ld,\"cpuMs\":%.3f}\n", echoed, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(sub, ZMQ_LINGER, 0);
    set_int(pub, ZMQ_LINGER, 0);
    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return 0;
}
