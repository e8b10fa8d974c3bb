#ifndef BASALT_CRC32C_H
#define BASALT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `length` bytes at `bytes`, continuing from `crc`.
///
/// The value is inverted on entry and on exit, so `crc32c(crc32c(0, a), b)` equals
/// `crc32c(0, a ++ b)` and `crc32c(0, "123456789")` is 0xE3069283.
/// Uses SSE4.2 over three interleaved streams where the CPU has it, otherwise a
/// slicing-by-8 table loop.
uint32_t basalt_crc32c(uint32_t crc, const void *bytes, size_t length);

/// The portable table implementation, exposed so tests can compare it with the hardware path.
uint32_t basalt_crc32c_portable(uint32_t crc, const void *bytes, size_t length);

/// 1 when `basalt_crc32c` uses a hardware CRC instruction on this CPU, else 0.
int basalt_crc32c_hardware(void);

#endif
