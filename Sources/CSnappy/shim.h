// A guard turns a missing package into one clear error line instead of a missing-file cascade.
// Snappy is C++; its C API (snappy-c.h) is all Basalt needs, so no C++ interop is involved.
#if __has_include(<snappy-c.h>)
#include <snappy-c.h>
#else
#error "snappy headers not found: install them with `apt-get install libsnappy-dev` (Debian/Ubuntu) or `brew install snappy` (macOS)"
#endif
