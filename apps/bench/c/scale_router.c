/*
 * scale_router: the libzmq side of the 10,000-connection scale case (src/scale/router.ts in C, the same
 * protocol). One ROUTER binds; every peer (scale_clients) first sends "h<index>", whose routing id goes into
 * slot <index> of a table allocated before the baseline; "r…" requests are echoed to their sender. The
 * socket's monitor counts accepted connections, finished handshakes and disconnects. Commands on stdin, one
 * answer line each on stdout:
 *   mem         MEM {json}: malloc's bytes in use (glibc mallinfo2, every arena); the runner reads VmRSS
 *   status      STATUS {json}: counts, and the CLOCK_MONOTONIC time (ns) of the last hello and handshake
 *   route       ROUTED {json}: sends every known peer its own hello back
 *   idle-start, idle-stop   IDLE {json}, gc-watch, gc-report   GC {json}: nothing to measure here (router.ts
 *               reports its event loop's delay and its garbage collections)
 * usage: scale_router <bind-address> <peers> <backlog>
 */
#include "bench.h"

#include <malloc.h>
#include <stdint.h>

#define SLOT 16 /* libzmq's generated routing ids are 5 bytes; 1 length byte + up to 15 */

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long malloc_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: scale_router <bind-address> <peers> <backlog>\n");
        return 2;
    }
    long peers = atol(argv[2]);
    int backlog = atoi(argv[3]);
    unsigned char *table = malloc((size_t)peers * SLOT);
    if (table == NULL) die("calloc");
    memset(table, 0, (size_t)peers * SLOT); /* touched now, as router.ts's Buffer.alloc: in the baseline, not per peer */
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    set_int(router, ZMQ_LINGER, 0);
    set_int(router, ZMQ_BACKLOG, backlog);
    if (zmq_socket_monitor(router, "inproc://scale-monitor",
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0)
        die("zmq_socket_monitor");
    void *monitor = zmq_socket(ctx, ZMQ_PAIR);
    if (zmq_connect(monitor, "inproc://scale-monitor") != 0) die("zmq_connect(monitor)");
    char endpoint[512];
    bind_resolved(router, argv[1], endpoint, sizeof endpoint);
    printf("READY %s\n", endpoint);
    fflush(stdout);

    long hellos = 0, requests = 0, accepted = 0, handshakes = 0, disconnected = 0, bad = 0;
    long long last_hello = 0, last_handshake = 0;
    /* When each tenth of the peers had been accepted, and had said hello: where a slow storm spends its time. */
    long tenth = peers / 10 > 0 ? peers / 10 : 1;
    long long accepted_at[10], hello_at[10];
    int accepted_marks = 0, hello_marks = 0;
    char line[256];
    size_t line_fill = 0;
    zmq_pollitem_t items[3] = {
        {.socket = router, .events = ZMQ_POLLIN},
        {.socket = monitor, .events = ZMQ_POLLIN},
        {.fd = 0, .events = ZMQ_POLLIN},
    };
    for (;;) {
        if (zmq_poll(items, 3, -1) < 0) {
            if (zmq_errno() == EINTR) continue;
            die("zmq_poll");
        }
        if (items[0].revents & ZMQ_POLLIN) {
            /* Drain what is there: [routing id, body]. */
            for (;;) {
                unsigned char id[256], body[64];
                int id_size = zmq_recv(router, id, sizeof id, ZMQ_DONTWAIT);
                if (id_size < 0) break;
                int body_size = zmq_recv(router, body, sizeof body, 0);
                if (body_size < 0) die("zmq_recv(body)");
                if (body_size > (int)sizeof body) body_size = sizeof body;
                if (body_size > 1 && body[0] == 'h') {
                    char digits[32];
                    int n = body_size - 1 < 31 ? body_size - 1 : 31;
                    memcpy(digits, body + 1, (size_t)n);
                    digits[n] = 0;
                    long index = atol(digits);
                    if (index < 0 || index >= peers || id_size > SLOT - 1) {
                        bad++;
                        continue;
                    }
                    table[index * SLOT] = (unsigned char)id_size;
                    memcpy(table + index * SLOT + 1, id, (size_t)id_size);
                    hellos++;
                    last_hello = now_ns();
                    if (hellos % tenth == 0 && hello_marks < 10) hello_at[hello_marks++] = last_hello;
                } else if (body_size > 0 && body[0] == 'r') {
                    if (zmq_send(router, id, (size_t)id_size, ZMQ_SNDMORE) < 0 || zmq_send(router, body, (size_t)body_size, 0) < 0)
                        die("zmq_send(reply)");
                    requests++;
                } else {
                    bad++;
                }
            }
        }
        if (items[1].revents & ZMQ_POLLIN) {
            for (;;) {
                unsigned char event[6];
                char address[512];
                if (zmq_recv(monitor, event, sizeof event, ZMQ_DONTWAIT) < 0) break;
                if (zmq_recv(monitor, address, sizeof address, 0) < 0) die("zmq_recv(monitor address)");
                uint16_t type;
                memcpy(&type, event, sizeof type);
                if (type == ZMQ_EVENT_ACCEPTED) {
                    accepted++;
                    if (accepted % tenth == 0 && accepted_marks < 10) accepted_at[accepted_marks++] = now_ns();
                }
                else if (type == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
                    handshakes++;
                    last_handshake = now_ns();
                } else if (type == ZMQ_EVENT_DISCONNECTED) disconnected++;
            }
        }
        if (items[2].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) {
            ssize_t n = read(0, line + line_fill, sizeof line - 1 - line_fill);
            if (n <= 0) break; /* the runner closed stdin: exit */
            line_fill += (size_t)n;
            line[line_fill] = 0;
            char *newline;
            while ((newline = strchr(line, '\n')) != NULL) {
                *newline = 0;
                if (strcmp(line, "mem") == 0) {
                    printf("MEM {\"malloc\":%lld}\n", malloc_in_use());
                } else if (strcmp(line, "status") == 0) {
                    printf("STATUS {\"hellos\":%ld,\"requests\":%ld,\"accepted\":%ld,\"handshakes\":%ld,\"disconnected\":%ld,"
                           "\"bad\":%ld,\"lastHelloNs\":%lld,\"lastHandshakeNs\":%lld,\"cpuMs\":%.3f",
                           hellos, requests, accepted, handshakes, disconnected, bad, last_hello, last_handshake, cpu_ms());
                    const char *names[2] = {"acceptedAtNs", "helloAtNs"};
                    long long *marks[2] = {accepted_at, hello_at};
                    int counts[2] = {accepted_marks, hello_marks};
                    for (int k = 0; k < 2; k++) {
                        printf(",\"%s\":[", names[k]);
                        for (int i = 0; i < counts[k]; i++) printf("%s%lld", i == 0 ? "" : ",", marks[k][i]);
                        printf("]");
                    }
                    printf("}\n");
                } else if (strcmp(line, "route") == 0) {
                    long sent = 0;
                    for (long i = 0; i < peers; i++) {
                        unsigned char *slot = table + i * SLOT;
                        if (slot[0] == 0) continue;
                        char body[32];
                        int body_size = snprintf(body, sizeof body, "h%ld", i);
                        if (zmq_send(router, slot + 1, slot[0], ZMQ_SNDMORE) < 0 || zmq_send(router, body, (size_t)body_size, 0) < 0)
                            die("zmq_send(route)");
                        sent++;
                    }
                    printf("ROUTED {\"sent\":%ld}\n", sent);
                } else if (strcmp(line, "idle-start") == 0 || strcmp(line, "idle-stop") == 0) {
                    printf("IDLE {}\n");
                } else if (strcmp(line, "gc-watch") == 0 || strcmp(line, "gc-report") == 0) {
                    printf("GC {}\n");
                } else if (line[0] != 0) {
                    printf("UNKNOWN %s\n", line);
                }
                fflush(stdout);
                size_t used = (size_t)(newline + 1 - line);
                memmove(line, newline + 1, line_fill - used + 1);
                line_fill -= used;
            }
        }
    }
    zmq_close(monitor);
    zmq_close(router);
    zmq_ctx_term(ctx);
    free(table);
    return 0;
}
