/*
 * Shared helpers of the libzmq C baseline tools (apps/bench/c). Each tool speaks the runner's line protocol
 * on stdio: the receiving side prints "READY <endpoint>[,<endpoint>…]", the sending side reads that line from
 * stdin; both print "RESULT {json}" when done, then wait for stdin to close before exiting. Everything is
 * bounded: by a message count, by a time limit, and by the runner's hard timeout.
 */
#ifndef ZMQ_TS_BENCH_H
#define ZMQ_TS_BENCH_H

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static inline double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process (every thread, libzmq's I/O thread included), in ms. */
static inline double cpu_ms(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
           (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

static inline void die(const char *what) {
    fprintf(stderr, "%s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

/* Binds to `address` (tcp://127.0.0.1:* or ipc://path) and writes the resolved endpoint to `out`. */
static inline void bind_resolved(void *socket, const char *address, char *out, size_t out_size) {
    if (zmq_bind(socket, address) != 0) die("zmq_bind");
    size_t len = out_size;
    if (zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, out, &len) != 0) die("zmq_getsockopt(ZMQ_LAST_ENDPOINT)");
}

/* Reads the endpoint line the runner relays from the receiving side. */
static inline void read_endpoints(char *out, size_t out_size) {
    if (fgets(out, (int)out_size, stdin) == NULL) {
        fprintf(stderr, "no endpoint on stdin\n");
        exit(1);
    }
    out[strcspn(out, "\r\n")] = 0;
}

/* True once stdin is closed (the runner's signal to exit); waits up to `timeout_ms`. */
static inline int stdin_closed(int timeout_ms) {
    struct pollfd fd = {.fd = 0, .events = POLLIN};
    if (poll(&fd, 1, timeout_ms) <= 0) return 0;
    char buffer[256];
    ssize_t n = read(0, buffer, sizeof buffer);
    return n <= 0;
}

/* Waits (at most `timeout_ms`) for the runner to close stdin. */
static inline void wait_for_exit(int timeout_ms) {
    double deadline = now_seconds() + timeout_ms / 1e3;
    while (now_seconds() < deadline) {
        if (stdin_closed(100)) return;
    }
}

/*
 * Counts received messages after a warm-up, as the TypeScript tools' Meter does: the clock starts at the
 * first message seen `warmup` seconds after the very first one; a run too short to warm up is measured from
 * its first message.
 */
typedef struct {
    double warmup, first, start;
    long seen, counted;
    int started;
} meter_t;

static inline void meter_init(meter_t *meter, double warmup) {
    memset(meter, 0, sizeof *meter);
    meter->warmup = warmup;
}

static inline void meter_add(meter_t *meter) {
    if (meter->started) {
        meter->counted++;
        return;
    }
    meter->seen++;
    if (meter->first == 0) {
        meter->first = now_seconds();
        return;
    }
    if ((meter->seen & 63) != 0) return;
    double now = now_seconds();
    if (now - meter->first >= meter->warmup) {
        meter->started = 1;
        meter->start = now;
    }
}

/* Prints `"messages":…,"seconds":…,"warmedUp":…,"received":…` for a run ending at `end`. */
static inline void meter_print(const meter_t *meter, double end) {
    long messages = meter->first == 0 ? 0 : meter->started ? meter->counted : meter->seen - 1;
    double seconds = meter->first == 0 ? 0 : end - (meter->started ? meter->start : meter->first);
    printf("\"messages\":%ld,\"seconds\":%.9f,\"warmedUp\":%d,\"received\":%ld", messages, seconds, meter->started,
           meter->seen + meter->counted);
}

static inline void set_int(void *socket, int option, int value) {
    if (zmq_setsockopt(socket, option, &value, sizeof value) != 0) die("zmq_setsockopt");
}

/*
 * CURVE, as the TypeScript tools do it (src/lib/curve.ts): the runner puts one server and one client key pair
 * (Z85, 40 characters each) into the environment. Without them a tool runs plain (NULL mechanism).
 */
static inline const char *curve_key(const char *variable) {
    const char *value = getenv(variable);
    if (value == NULL || value[0] == 0) return NULL;
    if (strlen(value) != 40) {
        fprintf(stderr, "%s: need 40 Z85 characters\n", variable);
        exit(1);
    }
    return value;
}

static inline void set_key(void *socket, int option, const char *variable) {
    const char *key = curve_key(variable);
    if (key == NULL) {
        fprintf(stderr, "%s is missing\n", variable);
        exit(1);
    }
    if (zmq_setsockopt(socket, option, key, 40) != 0) die("zmq_setsockopt(CURVE key)");
}

/* True when the runner gave CURVE keys. */
static inline int curve_enabled(void) { return curve_key("ZMQ_TS_BENCH_CURVE_SERVER_SECRET") != NULL; }

/* Makes `socket` a CURVE server (the binding side) if the runner gave keys. */
static inline void curve_server(void *socket) {
    if (!curve_enabled()) return;
    set_int(socket, ZMQ_CURVE_SERVER, 1);
    set_key(socket, ZMQ_CURVE_SECRETKEY, "ZMQ_TS_BENCH_CURVE_SERVER_SECRET");
}

/* Makes `socket` a CURVE client of that server (the connecting side) if the runner gave keys. */
static inline void curve_client(void *socket) {
    if (!curve_enabled()) return;
    set_key(socket, ZMQ_CURVE_SERVERKEY, "ZMQ_TS_BENCH_CURVE_SERVER_PUBLIC");
    set_key(socket, ZMQ_CURVE_PUBLICKEY, "ZMQ_TS_BENCH_CURVE_CLIENT_PUBLIC");
    set_key(socket, ZMQ_CURVE_SECRETKEY, "ZMQ_TS_BENCH_CURVE_CLIENT_SECRET");
}

#endif
