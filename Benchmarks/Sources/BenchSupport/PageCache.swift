import Glibc

/// Puts the page cache in a known state before a write benchmark.
///
/// On this kind of VM (Firecracker, `page_reporting.page_reporting_order=11`) the
/// guest returns free memory to the host in 8 MiB blocks about 2 s after it is freed.
/// Writing into such memory faults it back in through the host, which caps buffered
/// writes at a few hundred MB/s; writing into pages freed a moment ago runs at memory
/// speed (3–5 GB/s). The two differ tenfold, so every write comparison states which one
/// it ran in, and its reference ran in the same one:
/// - ``settle()``: *fresh pages*, the steady state of a log that keeps growing;
/// - ``recycle(bytes:in:)``: *recycled pages*, where only the CPU cost of the writer shows.
public enum PageCache {
    /// Seconds to wait for freed memory to be reported back to the host.
    public static let settleSeconds: UInt32 = 6

    /// Waits until memory freed by earlier benchmarks has gone back to the host, so the
    /// next writer gets fresh pages.
    public static func settle() {
        sleep(settleSeconds)
    }

    /// Writes and deletes a file of `bytes`, so a writer that starts right after reuses
    /// pages the guest has already backed.
    public static func recycle(bytes: Int, in directory: String) throws {
        let path = directory + "/recycle"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
        let blockBytes = 1 << 20
        let block = [UInt8](repeating: 0x5A, count: blockBytes)
        var done = 0
        block.withUnsafeBytes { raw in
            while done < bytes {
                let written = write(descriptor, raw.baseAddress, blockBytes)
                if written <= 0 { break }
                done += written
            }
        }
        close(descriptor)
        unlink(path)
    }
}
