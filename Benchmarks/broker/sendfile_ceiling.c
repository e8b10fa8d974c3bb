/* The loopback ceiling for the broker's fetch path, measured in the same run.
 *
 *   sendfile_ceiling FILE...
 *
 * Serves the files over a loopback TCP connection the way the broker answers Fetch:
 * the client sends a small request, the server answers with a 4-byte length and up to
 * 50 MB of file bytes sent with sendfile(2); the client reads each answer whole into a
 * 64 MiB buffer, as `kafka_bench rawfetch` does. Nothing is parsed or checked, so this
 * is what the kernel and the loopback device allow, with no broker in the way.
 * Prints one line: `ceiling <MB/s>`.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (50 << 20)

static char **files;
static int file_count;
static int listener;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void readn(int fd, unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) { perror("read"); exit(2); }
        p += r; n -= (size_t)r;
    }
}

static void *serve(void *unused) {
    (void)unused;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) { perror("accept"); exit(2); }
    unsigned char request[4];
    for (int f = 0; f < file_count; f++) {
        int file = open(files[f], O_RDONLY);
        struct stat st;
        if (file < 0 || fstat(file, &st) != 0) { perror(files[f]); exit(2); }
        off_t position = 0;
        while (position < st.st_size) {
            readn(fd, request, sizeof request);
            size_t length = st.st_size - position < CHUNK ? (size_t)(st.st_size - position) : CHUNK;
            unsigned char head[4] = {length >> 24, length >> 16, length >> 8, length};
            if (write(fd, head, 4) != 4) { perror("write"); exit(2); }
            size_t left = length;
            while (left > 0) {
                ssize_t sent = sendfile(fd, file, &position, left);
                if (sent <= 0) { perror("sendfile"); exit(2); }
                left -= (size_t)sent;
            }
        }
        close(file);
    }
    readn(fd, request, sizeof request);  /* the client's last request: nothing left */
    unsigned char end[4] = {0, 0, 0, 0};
    if (write(fd, end, 4) != 4) { perror("write"); exit(2); }
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: sendfile_ceiling FILE...\n"); return 2; }
    files = argv + 1;
    file_count = argc - 1;
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(0x7f000001);
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 1) ||
        getsockname(listener, (struct sockaddr *)&address, &length)) { perror("listen"); return 2; }
    pthread_t server;
    pthread_create(&server, NULL, serve, NULL);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&address, sizeof address)) { perror("connect"); return 2; }
    unsigned char *buffer = malloc(64 << 20), request[4] = {0, 0, 0, 0}, head[4];
    double bytes = 0, start = now();
    for (;;) {
        if (write(fd, request, sizeof request) != sizeof request) { perror("write"); return 2; }
        readn(fd, head, 4);
        size_t size = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
        if (size == 0) break;
        readn(fd, buffer, size);
        bytes += size + 4;
    }
    double elapsed = now() - start;
    pthread_join(server, NULL);
    printf("ceiling %.1f MB/s\n", bytes / elapsed / 1e6);
    return 0;
}
