/*
 * remote_lat: REQ connects to the endpoint read from stdin and, after a warm-up of `warmup` seconds, times
 * `count` round trips of `size` bytes, or as many as fit in `seconds`; reports the mean round trip
 * (libzmq's perf/remote_lat reports half of it). Ends with the empty end message. Built a second time as
 * remote_lat_dealer (-DSOCKET_TYPE=ZMQ_DEALER, lib/c-build.ts): the same round trips from a DEALER against
 * local_lat_router's echo.
 * usage: remote_lat <size> <count> <warmup-seconds> <seconds>
 */
#include "bench.h"

#ifndef SOCKET_TYPE
#define SOCKET_TYPE ZMQ_REQ
#define TOOL_NAME "remote_lat"
#endif

static void round_trip(void *socket, const char *body, long size, zmq_msg_t *reply) {
    if (zmq_send(socket, body, size, 0) < 0) die("zmq_send");
    int rc = zmq_msg_recv(reply, socket, 0);
    if (rc < 0) die("zmq_msg_recv");
    if (rc != size) {
        fprintf(stderr, "reply of %d bytes, expected %ld\n", rc, size);
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <size> <count> <warmup-seconds> <seconds>\n", TOOL_NAME);
        return 2;
    }
    long size = atol(argv[1]);
    long count = atol(argv[2]);
    double warmup = atof(argv[3]);
    double seconds = atof(argv[4]);
    char endpoint[512];
    read_endpoints(endpoint, sizeof endpoint);
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, SOCKET_TYPE);
    set_int(socket, ZMQ_RCVTIMEO, 10000);
    if (zmq_connect(socket, endpoint) != 0) die("zmq_connect");
    char *body = malloc(size > 0 ? size : 1);
    memset(body, 'x', size);
    zmq_msg_t reply;
    zmq_msg_init(&reply);
    /* Warm-up: the connection, and the first round trips, are not timed. */
    double warm_until = now_seconds() + warmup;
    do round_trip(socket, body, size, &reply);
    while (now_seconds() < warm_until);
    double start = now_seconds();
    double stop = start + seconds;
    long trips = 0;
    for (; trips < count; trips++) {
        round_trip(socket, body, size, &reply);
        if ((trips & 63) == 63 && now_seconds() > stop) {
            trips++;
            break;
        }
    }
    double elapsed = now_seconds() - start;
    if (zmq_send(socket, "", 0, 0) < 0) die("zmq_send");
    zmq_msg_recv(&reply, socket, 0);
    zmq_msg_close(&reply);
    printf("RESULT {\"roundTrips\":%ld,\"seconds\":%.9f,\"cpuMs\":%.3f}\n", trips, elapsed, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
    zmq_ctx_term(ctx);
    free(body);
    return 0;
}
