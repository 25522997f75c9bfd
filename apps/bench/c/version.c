/* Prints the version of the libzmq the tools are linked against. */
#include <stdio.h>
#include <zmq.h>

int main(void) {
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("%d.%d.%d\n", major, minor, patch);
    return 0;
}
