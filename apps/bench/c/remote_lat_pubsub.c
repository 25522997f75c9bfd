/*
 * remote_lat_pubsub: the timing side of the PUB/SUB round-trip case. Its PUB connects to local_lat_pubsub's
 * SUB (first endpoint read from stdin), its SUB (subscribed to everything) to the other side's PUB (second).
 * PUB drops what no subscription wants yet, so it first sends probes (first byte 'p') until one comes back;
 * a probe that comes back late is skipped by every later receive. Then it times round trips as remote_lat
 * does. Ends with the empty end message.
 * usage: remote_lat_pubsub <size> <count> <warmup-seconds> <seconds>
 */
#include "bench.h"

#define PROBE 'p'
#define PROBE_MS 100
#define PROBE_GIVE_UP_SECONDS 10

/* The next message that is not a late probe; its size. */
static int receive(void *sub, zmq_msg_t *message) {
    for (;;) {
        int rc = zmq_msg_recv(message, sub, 0);
        if (rc < 0) die("zmq_msg_recv");
        if (rc == 0 || ((const char *)zmq_msg_data(message))[0] != PROBE) return rc;
    }
}

static void round_trip(void *pub, void *sub, const char *body, long size, zmq_msg_t *reply) {
    if (zmq_send(pub, body, size, 0) < 0) die("zmq_send");
    int rc = receive(sub, reply);
    if (rc != size) {
        fprintf(stderr, "reply of %d bytes, expected %ld\n", rc, size);
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: remote_lat_pubsub <size> <count> <warmup-seconds> <seconds>\n");
        return 2;
    }
    long size = atol(argv[1]);
    long count = atol(argv[2]);
    double warmup = atof(argv[3]);
    double seconds = atof(argv[4]);
    if (size < 1) {
        fprintf(stderr, "the probe needs a size of at least 1 byte\n");
        return 2;
    }
    char endpoints[1024];
    read_endpoints(endpoints, sizeof endpoints);
    char *pub_endpoint = strchr(endpoints, ',');
    if (pub_endpoint == NULL) {
        fprintf(stderr, "need two endpoints (the echoing side's SUB and PUB)\n");
        return 2;
    }
    *pub_endpoint++ = 0;
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) != 0) die("zmq_setsockopt(ZMQ_SUBSCRIBE)");
    if (zmq_connect(pub, endpoints) != 0) die("zmq_connect");
    if (zmq_connect(sub, pub_endpoint) != 0) die("zmq_connect");
    char *body = malloc(size);
    memset(body, 'x', size);
    char *probe = malloc(size);
    memset(probe, PROBE, size);
    zmq_msg_t reply;
    zmq_msg_init(&reply);
    set_int(sub, ZMQ_RCVTIMEO, PROBE_MS);
    double give_up = now_seconds() + PROBE_GIVE_UP_SECONDS;
    for (;;) {
        if (now_seconds() > give_up) {
            fprintf(stderr, "no probe came back in %d s\n", PROBE_GIVE_UP_SECONDS);
            return 1;
        }
        if (zmq_send(pub, probe, size, 0) < 0) die("zmq_send");
        if (zmq_msg_recv(&reply, sub, 0) >= 0) break;
    }
    set_int(sub, ZMQ_RCVTIMEO, 10000);
    double warm_until = now_seconds() + warmup;
    do round_trip(pub, sub, body, size, &reply);
    while (now_seconds() < warm_until);
    double start = now_seconds();
    double stop = start + seconds;
    long trips = 0;
    for (; trips < count; trips++) {
        round_trip(pub, sub, body, size, &reply);
        if ((trips & 63) == 63 && now_seconds() > stop) {
            trips++;
            break;
        }
    }
    double elapsed = now_seconds() - start;
    if (zmq_send(pub, "", 0, 0) < 0) die("zmq_send");
    receive(sub, &reply);
    zmq_msg_close(&reply);
    printf("RESULT {\"roundTrips\":%ld,\"seconds\":%.9f,\"cpuMs\":%.3f}\n", trips, elapsed, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(pub, ZMQ_LINGER, 0);
    set_int(sub, ZMQ_LINGER, 0);
    zmq_close(pub);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    free(body);
    free(probe);
    return 0;
}
