import Basalt
import Glibc

/// Deletes a benchmark's log without writing its dirty pages to disk.
///
/// `close()` would fdatasync every segment: seconds of disk writes for data about to be
/// deleted. Merely dropping the log is not free either: Basalt truncates each new
/// segment file to 0 on creation, which arms ext4's `auto_da_alloc`, so the last close
/// of the descriptor starts writeback of the whole file (seen in perf as
/// `ext4_release_file → __filemap_fdatawrite_range`), and that disk traffic would
/// disturb the next benchmark. Truncating the segments first leaves nothing to write.
public func discardLog(_ log: PartitionLog, directory: String) throws {
    if log.logEndOffset > log.logStartOffset {
        let slices = try log.read(from: log.logStartOffset, maxBytes: Int.max)
        var truncated: Set<Int32> = []
        for slice in slices where truncated.insert(slice.file.descriptor).inserted {
            _ = ftruncate(slice.file.descriptor, 0)
        }
    }
    try Scratch.removeTree(directory)
}
