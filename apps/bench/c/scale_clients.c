/*
 * scale_clients: the client side of the 10,000-connection scale case, the same for both servers (zmq-ts's
 * src/scale/router.ts and libzmq's scale_router), so that only the server differs. One context (one I/O
 * thread) holds <count> DEALER sockets, peers <first> to <first>+<count>-1, made before the storm (the runner
 * starts several such processes: each socket takes two descriptors, its connection and its mailbox's
 * eventfd). Commands on stdin, one answer line each:
 *   storm    START <CLOCK_MONOTONIC ns just before the first connect>; then every socket connects and sends
 *            "h<index>" (queued until its connection is up)
 *   route    ROUTED {json}: waits until every socket has one message, or the deadline; each must be its
 *            own "h<index>" (own), not another's (wrong), and no second one may follow (extra)
 *   request  ROUND {json}: every socket sends "r<index>" at once; the time until every reply is in
 *   close    CLOSED {json}: closes every socket (linger 0) and ends the context: all connections go
 * Times are CLOCK_MONOTONIC ns, comparable across the processes: startNs when the command came, lastNs when
 * the last expected message arrived.
 * usage: scale_clients <endpoint> <first> <count> <deadline-ms>
 */
#include "bench.h"

typedef struct {
    long own, wrong, missing, extra;
    long long start_ns, last_ns;
} tally_t;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void **sockets;
static long peers, first;
static char *received; /* per socket: replies seen in the current round */

/*
 * Receives until every socket has `expected` bodies "<prefix><index>" or the deadline passes, sweeping all
 * sockets without blocking (and sleeping 1 ms after a sweep that found nothing); then one more sweep after
 * `settle_ms` counts anything extra.
 */
static tally_t collect(char prefix, long long start_ns, double deadline, int settle_ms) {
    tally_t tally = {0};
    tally.start_ns = start_ns;
    tally.last_ns = start_ns;
    memset(received, 0, (size_t)peers);
    long complete = 0;
    while (complete < peers && now_seconds() < deadline) {
        long found = 0;
        for (long i = 0; i < peers; i++) {
            char body[64];
            int n;
            while ((n = zmq_recv(sockets[i], body, sizeof body - 1, ZMQ_DONTWAIT)) >= 0) {
                found++;
                body[n < (int)sizeof body - 1 ? n : (int)sizeof body - 1] = 0;
                char expected[32];
                snprintf(expected, sizeof expected, "%c%ld", prefix, first + i);
                if (strcmp(body, expected) != 0) tally.wrong++;
                else if (received[i]++ == 0) {
                    tally.own++;
                    complete++;
                    tally.last_ns = now_ns();
                } else tally.extra++;
            }
        }
        if (found == 0) usleep(1000);
    }
    usleep(settle_ms * 1000);
    for (long i = 0; i < peers; i++) {
        char body[64];
        while (zmq_recv(sockets[i], body, sizeof body, ZMQ_DONTWAIT) >= 0) tally.extra++;
    }
    tally.missing = peers - complete;
    return tally;
}

static void print_tally(const char *tag, tally_t tally) {
    printf("%s {\"own\":%ld,\"wrong\":%ld,\"missing\":%ld,\"extra\":%ld,\"startNs\":%lld,\"lastNs\":%lld,\"cpuMs\":%.3f}\n", tag,
           tally.own, tally.wrong, tally.missing, tally.extra, tally.start_ns, tally.last_ns, cpu_ms());
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: scale_clients <endpoint> <first> <count> <deadline-ms>\n");
        return 2;
    }
    const char *endpoint = argv[1];
    first = atol(argv[2]);
    peers = atol(argv[3]);
    double deadline_seconds = atoi(argv[4]) / 1e3;
    void *ctx = zmq_ctx_new();
    /* Every socket has a mailbox (one eventfd) besides its connection: the caller raises RLIMIT_NOFILE. */
    if (zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)peers + 16) != 0) die("zmq_ctx_set(ZMQ_MAX_SOCKETS)");
    sockets = calloc((size_t)peers, sizeof *sockets);
    received = calloc((size_t)peers, 1);
    if (sockets == NULL || received == NULL) die("calloc");
    for (long i = 0; i < peers; i++) {
        sockets[i] = zmq_socket(ctx, ZMQ_DEALER);
        if (sockets[i] == NULL) die("zmq_socket");
        set_int(sockets[i], ZMQ_LINGER, 0);
    }
    printf("CREATED %ld\n", peers);
    fflush(stdout);

    char line[256];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = 0;
        if (strcmp(line, "storm") == 0) {
            long long start_ns = now_ns();
            for (long i = 0; i < peers; i++) {
                char hello[32];
                int n = snprintf(hello, sizeof hello, "h%ld", first + i);
                if (zmq_connect(sockets[i], endpoint) != 0) die("zmq_connect");
                if (zmq_send(sockets[i], hello, (size_t)n, 0) < 0) die("zmq_send(hello)");
            }
            printf("START %lld\n", start_ns);
        } else if (strcmp(line, "route") == 0) {
            print_tally("ROUTED", collect('h', now_ns(), now_seconds() + deadline_seconds, 200));
        } else if (strcmp(line, "request") == 0) {
            long long start_ns = now_ns();
            for (long i = 0; i < peers; i++) {
                char request[32];
                int n = snprintf(request, sizeof request, "r%ld", first + i);
                if (zmq_send(sockets[i], request, (size_t)n, 0) < 0) die("zmq_send(request)");
            }
            print_tally("ROUND", collect('r', start_ns, now_seconds() + deadline_seconds, 200));
        } else if (strcmp(line, "close") == 0) {
            for (long i = 0; i < peers; i++) zmq_close(sockets[i]);
            zmq_ctx_term(ctx);
            ctx = NULL;
            printf("CLOSED {\"cpuMs\":%.3f}\n", cpu_ms());
        } else if (line[0] != 0) {
            printf("UNKNOWN %s\n", line);
        }
        fflush(stdout);
    }
    if (ctx != NULL) {
        for (long i = 0; i < peers; i++) zmq_close(sockets[i]);
        zmq_ctx_term(ctx);
    }
    return 0;
}
