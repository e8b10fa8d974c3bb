// A guard turns a missing package into one clear error line instead of a missing-file cascade.
#if __has_include(<zlib.h>)
// Const input pointers (`z_const`), so Swift can hand zlib an UnsafeRawBufferPointer's bytes.
#define ZLIB_CONST
#include <zlib.h>
#else
#error "zlib headers not found: install them with `apt-get install zlib1g-dev` (Debian/Ubuntu); macOS ships them"
#endif
