import Glibc

/// Writes all of `bytes` at `offset` of `descriptor` with pwrite(2), continuing after
/// short writes: the raw reference the store's own writes are compared with.
public func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
    var done = 0
    while done < bytes.count {
        let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { throw SystemCallError(operation: "pwrite", path: "descriptor \(descriptor)", errno: errno) }
        done += written
    }
}
