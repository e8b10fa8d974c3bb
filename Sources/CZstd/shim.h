// A guard turns a missing package into one clear error line instead of a missing-file cascade.
#if __has_include(<zstd.h>)
#include <zstd.h>
#else
#error "libzstd headers not found: install them with `apt-get install libzstd-dev` (Debian/Ubuntu) or `brew install zstd` (macOS)"
#endif
