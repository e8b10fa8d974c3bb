// A guard turns a missing package into one clear error line instead of a missing-file cascade.
#if __has_include(<lz4frame.h>)
#include <lz4.h>
#include <lz4frame.h>
#else
#error "liblz4 headers not found: install them with `apt-get install liblz4-dev` (Debian/Ubuntu) or `brew install lz4` (macOS)"
#endif
