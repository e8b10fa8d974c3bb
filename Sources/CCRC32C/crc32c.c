// CRC-32C for record batches.
//
// The hardware instruction has a latency of three cycles and a throughput of one per
// cycle, so one dependent chain runs at a third of the possible speed. The fast path
// feeds three independent chains over three adjacent blocks and joins them by shifting
// the earlier chains' registers over the later blocks' length with precomputed tables
// (CRC is linear over GF(2), so reg(A ++ B) = shift_|B|(reg(A)) xor reg0(B)).

#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define CASTAGNOLI_REFLECTED 0x82F63B78u

// Block sizes of the interleaved loops: large blocks amortize the joins, the small
// ones keep medium buffers (a few KiB) on the three-chain path too.
#define LARGE_BLOCK 8192
#define SMALL_BLOCK 256

static uint32_t byte_table[8][256];
static uint32_t large_shift[4][256];
static uint32_t small_shift[4][256];
static int has_hardware;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

// Advances a raw (non-inverted) register over `count` zero bytes.
static uint32_t register_over_zeros(uint32_t reg, size_t count) {
    while (count--) {
        reg = byte_table[0][reg & 0xFF] ^ (reg >> 8);
    }
    return reg;
}

// The shift over `count` zero bytes is linear in the register, so it is fully
// described by the images of the 32 single-bit registers; each table row then
// combines the images of one register byte.
static void build_shift_table(uint32_t table[4][256], size_t count) {
    uint32_t image[32];
    for (int bit = 0; bit < 32; bit++) {
        image[bit] = register_over_zeros(1u << bit, count);
    }
    for (int lane = 0; lane < 4; lane++) {
        for (uint32_t value = 0; value < 256; value++) {
            uint32_t result = 0;
            for (int bit = 0; bit < 8; bit++) {
                if (value & (1u << bit)) {
                    result ^= image[lane * 8 + bit];
                }
            }
            table[lane][value] = result;
        }
    }
}

static void build_tables(void) {
    for (uint32_t value = 0; value < 256; value++) {
        uint32_t reg = value;
        for (int bit = 0; bit < 8; bit++) {
            reg = (reg & 1) ? (reg >> 1) ^ CASTAGNOLI_REFLECTED : reg >> 1;
        }
        byte_table[0][value] = reg;
    }
    for (uint32_t value = 0; value < 256; value++) {
        uint32_t reg = byte_table[0][value];
        for (int slice = 1; slice < 8; slice++) {
            reg = byte_table[0][reg & 0xFF] ^ (reg >> 8);
            byte_table[slice][value] = reg;
        }
    }
    build_shift_table(large_shift, LARGE_BLOCK);
    build_shift_table(small_shift, SMALL_BLOCK);
#if defined(__x86_64__)
    has_hardware = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
    has_hardware = 0;
#endif
}

static inline uint32_t shift(const uint32_t table[4][256], uint32_t reg) {
    return table[0][reg & 0xFF] ^ table[1][(reg >> 8) & 0xFF] ^ table[2][(reg >> 16) & 0xFF] ^
           table[3][reg >> 24];
}

static inline uint64_t load_le64(const unsigned char *p) {
    uint64_t value;
    memcpy(&value, p, sizeof value);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    value = __builtin_bswap64(value);
#endif
    return value;
}

static uint32_t portable_register(uint32_t reg, const unsigned char *p, size_t n) {
    while (n >= 8) {
        uint64_t word = load_le64(p) ^ reg;
        reg = byte_table[7][word & 0xFF] ^ byte_table[6][(word >> 8) & 0xFF] ^
              byte_table[5][(word >> 16) & 0xFF] ^ byte_table[4][(word >> 24) & 0xFF] ^
              byte_table[3][(word >> 32) & 0xFF] ^ byte_table[2][(word >> 40) & 0xFF] ^
              byte_table[1][(word >> 48) & 0xFF] ^ byte_table[0][word >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) {
        reg = byte_table[0][(reg ^ *p++) & 0xFF] ^ (reg >> 8);
    }
    return reg;
}

uint32_t basalt_crc32c_portable(uint32_t crc, const void *bytes, size_t length) {
    pthread_once(&tables_once, build_tables);
    return ~portable_register(~crc, (const unsigned char *)bytes, length);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t hardware_register(uint32_t reg32, const unsigned char *p, size_t n) {
    uint64_t reg = reg32;
    while (n >= 3 * LARGE_BLOCK) {
        uint64_t second = 0, third = 0;
        const unsigned char *end = p + LARGE_BLOCK;
        do {
            reg = _mm_crc32_u64(reg, load_le64(p));
            second = _mm_crc32_u64(second, load_le64(p + LARGE_BLOCK));
            third = _mm_crc32_u64(third, load_le64(p + 2 * LARGE_BLOCK));
            p += 8;
        } while (p < end);
        reg = shift(large_shift, (uint32_t)reg) ^ (uint32_t)second;
        reg = shift(large_shift, (uint32_t)reg) ^ (uint32_t)third;
        p += 2 * LARGE_BLOCK;
        n -= 3 * LARGE_BLOCK;
    }
    while (n >= 3 * SMALL_BLOCK) {
        uint64_t second = 0, third = 0;
        const unsigned char *end = p + SMALL_BLOCK;
        do {
            reg = _mm_crc32_u64(reg, load_le64(p));
            second = _mm_crc32_u64(second, load_le64(p + SMALL_BLOCK));
            third = _mm_crc32_u64(third, load_le64(p + 2 * SMALL_BLOCK));
            p += 8;
        } while (p < end);
        reg = shift(small_shift, (uint32_t)reg) ^ (uint32_t)second;
        reg = shift(small_shift, (uint32_t)reg) ^ (uint32_t)third;
        p += 2 * SMALL_BLOCK;
        n -= 3 * SMALL_BLOCK;
    }
    while (n >= 8) {
        reg = _mm_crc32_u64(reg, load_le64(p));
        p += 8;
        n -= 8;
    }
    uint32_t reg_small = (uint32_t)reg;
    while (n--) {
        reg_small = _mm_crc32_u8(reg_small, *p++);
    }
    return reg_small;
}
#endif

uint32_t basalt_crc32c(uint32_t crc, const void *bytes, size_t length) {
    pthread_once(&tables_once, build_tables);
#if defined(__x86_64__)
    if (has_hardware) {
        return ~hardware_register(~crc, (const unsigned char *)bytes, length);
    }
#endif
    return ~portable_register(~crc, (const unsigned char *)bytes, length);
}

int basalt_crc32c_hardware(void) {
    pthread_once(&tables_once, build_tables);
    return has_hardware;
}
