/* Produce and fetch load for a Kafka-protocol broker, with librdkafka.
 *
 *   kafka_bench produce <bootstrap|mock> <topic> <count> <value-bytes> <acks> <none|lz4>
 *   kafka_bench latency <bootstrap> <topic> <count> <value-bytes> <rate-per-s>
 *   kafka_bench fetch   <bootstrap> <topic> <count>
 *   kafka_bench rawfetch <port> <topic> <end-offset>
 *   kafka_bench fill    <bootstrap> <topic-prefix> <topics> <value-bytes-total> <value-bytes> <acks> <batch-bytes>
 *
 * "mock" runs against librdkafka's in-process mock cluster (test.mock.num.brokers=1),
 * the client-side ceiling. "rawfetch" measures the broker alone: Fetch v4 requests for
 * partition 0 over a plain socket, 50 MB per response, bytes counted and discarded (only
 * batch headers are read, to find the next offset), as a follower or mirror would.
 * "fill" spreads keyed records over the topics `<prefix>-0` … `<prefix>-<topics-1>` (and,
 * by key, over their partitions) until `<value-bytes-total>` of values are delivered;
 * `<batch-bytes>` is the client's batch.size, so batches are as large as a real
 * producer's. Prints one line: `<mode> <records/s> <MB/s> [p50 p99 p999 ms]`.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdint.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long delivered, failed;
static double *latencies;
static long latency_count;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err) { failed++; return; }
    delivered++;
    if (latencies && m->_private) {
        double sent = *(double *)m->_private;
        latencies[latency_count++] = (now() - sent) * 1000.0;
        free(m->_private);
    }
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) { fprintf(stderr, "%s: %s\n", k, err); exit(2); }
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static rd_kafka_t *producer_batched(const char *bootstrap, const char *acks, const char *codec, const char *batch_bytes) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    if (strcmp(bootstrap, "mock") == 0) set(conf, "test.mock.num.brokers", "1");
    else set(conf, "bootstrap.servers", bootstrap);
    set(conf, "acks", acks);
    set(conf, "compression.type", codec);
    set(conf, "linger.ms", "5");
    set(conf, "batch.size", batch_bytes);
    set(conf, "queue.buffering.max.kbytes", "1048576");
    set(conf, "queue.buffering.max.messages", "1000000");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "%s\n", err); exit(2); }
    return rk;
}

static rd_kafka_t *producer(const char *bootstrap, const char *acks, const char *codec) {
    return producer_batched(bootstrap, acks, codec, "1000000");
}

static void produce(int argc, char **argv) {
    if (argc < 8) exit(2);
    const char *bootstrap = argv[2], *topic = argv[3];
    long count = atol(argv[4]);
    int size = atoi(argv[5]);
    rd_kafka_t *rk = producer(bootstrap, argv[6], argv[7]);
    char *value = malloc(size);
    for (int i = 0; i < size; i++) value[i] = (char)(i * 7 + (i >> 5));  /* partly compressible */
    /* Warm up: metadata, topic creation, connections. */
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(value, size), RD_KAFKA_V_END);
    rd_kafka_flush(rk, 30000);
    delivered = 0;
    double start = now();
    for (long i = 0; i < count; i++) {
        char key[24];
        int keylen = snprintf(key, sizeof key, "%ld", i);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_VALUE(value, size),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 120000);
    double elapsed = now() - start;
    printf("produce %.0f %.1f failed=%ld\n", delivered / elapsed, delivered * (double)size / elapsed / 1e6, failed);
    rd_kafka_destroy(rk);
}

static void fill(int argc, char **argv) {
    if (argc < 9) exit(2);
    const char *bootstrap = argv[2], *prefix = argv[3];
    int topics = atoi(argv[4]);
    double total = atof(argv[5]);
    int size = atoi(argv[6]);
    if (topics < 1 || topics > 1000 || size < 1) exit(2);
    rd_kafka_t *rk = producer_batched(bootstrap, argv[7], "none", argv[8]);
    char *value = malloc(size);
    for (int i = 0; i < size; i++) value[i] = (char)(i * 7 + (i >> 5));
    char (*names)[256] = calloc(topics, sizeof *names);
    for (int t = 0; t < topics; t++) {
        snprintf(names[t], sizeof names[t], "%s-%d", prefix, t);
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(names[t]), RD_KAFKA_V_VALUE(value, size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    rd_kafka_flush(rk, 30000);
    long count = (long)(total / size) - topics;
    delivered = 0;
    double start = now();
    for (long i = 0; i < count; i++) {
        char key[24];
        int keylen = snprintf(key, sizeof key, "%ld", i);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(names[i % topics]), RD_KAFKA_V_KEY(key, keylen),
                                 RD_KAFKA_V_VALUE(value, size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 300000);
    double elapsed = now() - start;
    printf("fill %.0f %.1f records=%ld failed=%ld\n", delivered / elapsed, delivered * (double)size / elapsed / 1e6, delivered, failed);
    rd_kafka_destroy(rk);
    if (failed || delivered != count) exit(1);
}

static void latency(int argc, char **argv) {
    if (argc < 7) exit(2);
    const char *bootstrap = argv[2], *topic = argv[3];
    long count = atol(argv[4]);
    int size = atoi(argv[5]);
    double rate = atof(argv[6]);
    rd_kafka_t *rk = producer(bootstrap, "all", "none");
    char *value = calloc(1, size);
    latencies = calloc(count, sizeof(double));
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(value, size), RD_KAFKA_V_END);
    rd_kafka_flush(rk, 30000);
    double start = now();
    for (long i = 0; i < count; i++) {
        double due = start + i / rate;
        while (now() < due) rd_kafka_poll(rk, 0);
        double *sent = malloc(sizeof(double));
        *sent = now();
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(value, size), RD_KAFKA_V_OPAQUE(sent),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
    qsort(latencies, latency_count, sizeof(double), cmp);
    printf("latency n=%ld p50=%.2f p99=%.2f p999=%.2f ms\n", latency_count, latencies[latency_count / 2],
           latencies[(long)(latency_count * 0.99)], latencies[(long)(latency_count * 0.999)]);
    rd_kafka_destroy(rk);
}

static void fetch(int argc, char **argv) {
    if (argc < 5) exit(2);
    const char *bootstrap = argv[2], *topic = argv[3];
    long count = atol(argv[4]);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "group.id", "bench-fetch");
    set(conf, "fetch.max.bytes", "52428800");
    set(conf, "max.partition.fetch.bytes", "10485760");
    set(conf, "queued.max.messages.kbytes", "1048576");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, list);
    long got = 0;
    double bytes = 0, start = 0;
    while (got < count) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
        if (!m) continue;
        if (!m->err) {
            if (got == 0) start = now();
            got++;
            bytes += m->len;
        }
        rd_kafka_message_destroy(m);
    }
    double elapsed = now() - start;
    printf("fetch %.0f %.1f\n", got / elapsed, bytes / elapsed / 1e6);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static uint64_t be64(const unsigned char *p) { uint64_t v = 0; for (int i = 0; i < 8; i++) v = v << 8 | p[i]; return v; }
static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static void readn(int fd, unsigned char *buf, size_t n) {
    size_t got = 0;
    while (got < n) { ssize_t r = read(fd, buf + got, n - got); if (r <= 0) { perror("read"); exit(2); } got += r; }
}

static void rawfetch(int argc, char **argv) {
    if (argc < 5) exit(2);
    int port = atoi(argv[2]);
    const char *topic = argv[3];
    int64_t end = atoll(argv[4]), offset = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("connect"); exit(2); }
    size_t cap = 64 << 20;
    unsigned char *buf = malloc(cap), req[512];
    double bytes = 0, start = now();
    int32_t correlation = 0;
    while (offset < end) {
        int tl = strlen(topic), n = 4;
        #define P16(v) do { req[n++] = (v) >> 8; req[n++] = (v); } while (0)
        #define P32(v) do { uint32_t _v = (v); req[n++] = _v >> 24; req[n++] = _v >> 16; req[n++] = _v >> 8; req[n++] = _v; } while (0)
        P16(1); P16(4); P32(++correlation); P16(5); memcpy(req + n, "bench", 5); n += 5;
        P32(-1); P32(500); P32(1); P32(50 << 20); req[n++] = 0;          /* replica, wait, min, max, isolation */
        P32(1); P16(tl); memcpy(req + n, topic, tl); n += tl; P32(1);     /* one topic, one partition */
        P32(0); P32((uint32_t)(offset >> 32)); P32((uint32_t)offset); P32(50 << 20);
        uint32_t size = n - 4;
        req[0] = size >> 24; req[1] = size >> 16; req[2] = size >> 8; req[3] = size;
        if (write(fd, req, n) != n) { perror("write"); exit(2); }
        unsigned char head[4];
        readn(fd, head, 4);
        size_t len = be32(head);
        if (len > cap) { fprintf(stderr, "response too large\n"); exit(2); }
        readn(fd, buf, len);
        bytes += len;
        size_t p = 4 + 4 + 4 + 2 + tl + 4 + 4 + 2 + 8 + 8 + 4;         /* to the records length */
        size_t rl = be32(buf + p); p += 4;
        size_t stop = p + rl;
        while (p + 61 <= stop) {
            int64_t base = be64(buf + p);
            uint32_t blen = be32(buf + p + 8);
            if (p + 12 + blen > stop) break;
            offset = base + be32(buf + p + 23) + 1;
            p += 12 + blen;
        }
    }
    double elapsed = now() - start;
    printf("rawfetch %.1f MB/s\n", bytes / elapsed / 1e6);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: see the comment at the top of kafka_bench.c\n"); return 2; }
    if (strcmp(argv[1], "produce") == 0) produce(argc, argv);
    else if (strcmp(argv[1], "latency") == 0) latency(argc, argv);
    else if (strcmp(argv[1], "fetch") == 0) fetch(argc, argv);
    else if (strcmp(argv[1], "rawfetch") == 0) rawfetch(argc, argv);
    else if (strcmp(argv[1], "fill") == 0) fill(argc, argv);
    else return 2;
    return 0;
}
