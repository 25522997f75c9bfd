/*
 * handshake_server: the serving side of the CURVE handshake case (src/tools/handshake-server.ts in C). A REP
 * socket, a CURVE server with the runner's keys (bench.h), binds and answers every request with its own body.
 * The clients (handshake_client) open one connection per request: "w" during their warm-up, "m" while they
 * measure, one "e" at the end. Reported: the "m" requests answered, the time and this process's CPU time
 * (getrusage: libzmq's I/O thread included) from the first "m" to the "e".
 * usage: handshake_server <bind-address> <deadline-ms>
 */
#include "bench.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: handshake_server <bind-address> <deadline-ms>\n");
        return 2;
    }
    int deadline_ms = atoi(argv[2]);
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_REP);
    curve_server(server);
    char endpoint[512];
    bind_resolved(server, argv[1], endpoint, sizeof endpoint);
    printf("READY %s\n", endpoint);
    fflush(stdout);
    set_int(server, ZMQ_RCVTIMEO, deadline_ms);
    double start = 0, end = 0, cpu_start = 0, cpu_end = 0;
    long measured = 0, answered = 0;
    char buffer[16];
    for (;;) {
        int n = zmq_recv(server, buffer, sizeof buffer, 0);
        if (n < 0) break; /* deadline (EAGAIN) */
        if (n == 1 && buffer[0] == 'm') {
            if (measured == 0) {
                start = now_seconds();
                cpu_start = cpu_ms();
            }
            measured++;
        }
        if (zmq_send(server, buffer, n, 0) < 0) die("zmq_send");
        answered++;
        if (n == 1 && buffer[0] == 'e') {
            end = now_seconds();
            cpu_end = cpu_ms();
            break;
        }
    }
    printf("RESULT {\"handshakes\":%ld,\"seconds\":%.9f,\"windowCpuMs\":%.3f,\"answered\":%ld,\"cpuMs\":%.3f}\n", measured,
           end - start, cpu_end - cpu_start, answered, cpu_ms());
    fflush(stdout);
    wait_for_exit(10000);
    set_int(server, ZMQ_LINGER, 0);
    zmq_close(server);
    zmq_ctx_term(ctx);
    return 0;
}
