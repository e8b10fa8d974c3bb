/* JetStream (file storage) publish throughput, the same load as kafka_bench produce:
 *
 *   nats_bench <url> <count> <value-bytes>
 *
 * Asynchronous publishes with up to 4096 in flight; each is acknowledged by the server
 * once stored. Prints `produce <records/s> <MB/s>`.
 */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(natsStatus s, const char *what) {
    if (s != NATS_OK) { fprintf(stderr, "%s: %s\n", what, natsStatus_GetText(s)); exit(2); }
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: nats_bench <url> <count> <value-bytes>\n"); return 2; }
    long count = atol(argv[2]);
    int size = atoi(argv[3]);
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    jsOptions options;
    jsStreamConfig config;
    jsErrCode jerr = 0;
    check(natsConnection_ConnectTo(&nc, argv[1]), "connect");
    jsOptions_Init(&options);
    options.PublishAsync.MaxPending = 4096;
    check(natsConnection_JetStream(&js, nc, &options), "jetstream");
    jsStreamConfig_Init(&config);
    config.Name = "BENCH";
    const char *subjects[] = {"bench"};
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    js_AddStream(NULL, js, &config, NULL, &jerr);
    char *value = malloc(size);
    for (int i = 0; i < size; i++) value[i] = (char)(i * 7 + (i >> 5));
    double start = now();
    for (long i = 0; i < count; i++) check(js_PublishAsync(js, "bench", value, size, NULL), "publish");
    check(js_PublishAsyncComplete(js, NULL), "complete");
    double elapsed = now() - start;
    printf("produce %.0f %.1f\n", count / elapsed, count * (double)size / elapsed / 1e6);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return 0;
}
