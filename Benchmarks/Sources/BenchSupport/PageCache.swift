import Glibc

/// Puts guest memory in a known state before a buffered-write benchmark.
///
/// On this kind of VM (Firecracker, `page_reporting.page_reporting_order=11`) the
/// guest hands free memory back to the host in 8 MiB blocks about 2 s after it is
/// freed. Buffered writes whose size and alignment give the page cache large folios
/// (1 MiB-aligned 1 MiB or 2 MiB writes, as `dd bs=1M` does) then take their memory
/// from those returned blocks and fault it back in through the host: 0.4–1 GB/s.
/// Unaligned ~1 MB writes, 256 KiB writes, or any write right after memory was freed
/// run at 3–4 GB/s. Measured here with dd, 1 GiB each, after a settle:
/// bs=1M 0.7–1.0 GB/s, bs=2M 0.4 GB/s, bs=256K 4.2 GB/s, bs=1041061 3.4 GB/s.
///
/// So write benchmarks settle first (the state of a machine that has been running for
/// a while) and compare only with references taken the same way, side by side.
public enum PageCache {
    /// Seconds to wait for freed memory to be reported back to the host.
    public static let settleSeconds: UInt32 = 6

    /// Waits until memory freed by earlier work has gone back to the host.
    public static func settle() {
        sleep(settleSeconds)
    }
}
