import Glibc
import Synchronization

/// A sparse index file, memory-mapped, whose entries have the layout `Entry`.
///
/// While its segment is active the file is preallocated to `capacityBytes` (rounded down
/// to whole entries) so appends never grow it; ``trim()`` cuts it to the entries in use
/// when the segment rolls or closes, which is what makes `fileLength / Entry.size` the
/// entry count when it is opened again. Not checksummed: after a crash the indexes of
/// the recovered segments are rebuilt from the log.
///
/// Concurrency: one writer (the partition's append path, under its lock) appends; any
/// number of readers search. A writer stores the entry's bytes, then publishes the new
/// count with release ordering; readers load the count with acquire ordering and never
/// look past it. The mapping lives until `deinit`, so it stays valid for every reader
/// holding the index, even after the file is unlinked. That is what makes the
/// `@unchecked Sendable` sound.
final class MappedIndex<Entry: IndexEntry>: @unchecked Sendable {
    let path: String
    private let file: StorageFile
    private let base: UnsafeMutableRawPointer
    private let mappedBytes: Int
    /// How many entries fit in the mapping.
    let capacity: Int
    private let published = Atomic<Int>(0)

    /// Number of entries in use.
    var count: Int { published.load(ordering: .acquiring) }
    var isFull: Bool { count >= capacity }

    /// Opens or creates the index at `path` and maps `capacityBytes` of it. An existing
    /// file's entries (its length divided by the entry size) are kept; call
    /// ``sanityCheck(baseOffset:logSize:)`` before trusting them.
    init(path: String, capacityBytes: Int, io: any FileIO) throws {
        let file = try StorageFile(path: path, flags: O_RDWR | O_CREAT, io: io)
        let existing = try file.size()
        let entries = Int(existing) / Entry.size
        let capacity = max(capacityBytes / Entry.size, entries)
        let mappedBytes = capacity * Entry.size
        if existing != Int64(mappedBytes) {
            if existing > Int64(mappedBytes) { try file.truncate(to: Int64(mappedBytes)) }
            // Reserve the blocks now, so a full disk fails this call rather than a later
            // store into a mapped page (which would be SIGBUS).
            try file.allocate(length: Int64(mappedBytes))
        }
        let pointer = mmap(nil, max(mappedBytes, 1), PROT_READ | PROT_WRITE, MAP_SHARED, file.descriptor, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw BasaltError.io(operation: "mmap", path: path, errno: errno)
        }
        self.path = path
        self.file = file
        self.base = pointer
        self.mappedBytes = max(mappedBytes, 1)
        self.capacity = capacity
        published.store(entries, ordering: .releasing)
    }

    deinit { munmap(base, mappedBytes) }

    /// The entry at `slot`, which must be below ``count``.
    func entry(at slot: Int) -> Entry {
        precondition(slot >= 0 && slot < capacity, "index slot out of range")
        return Entry(loading: base + slot * Entry.size)
    }

    /// The last entry, if any.
    var last: Entry? {
        let count = self.count
        return count == 0 ? nil : entry(at: count - 1)
    }

    /// Appends an entry. Keys must increase; callers check ``isFull`` first.
    func append(_ entry: Entry) {
        let count = published.load(ordering: .relaxed)
        precondition(count < capacity, "appending to a full index")
        if count > 0 { precondition(self.entry(at: count - 1).key < entry.key, "index keys must increase") }
        entry.store(to: base + count * Entry.size)
        published.store(count + 1, ordering: .releasing)
    }

    /// Drops entries from `count` on: used when the log is truncated.
    func truncate(toCount count: Int) {
        precondition(count >= 0 && count <= self.count, "index truncation beyond its end")
        published.store(count, ordering: .releasing)
    }

    /// The last entry whose key is at most `key`, or nil when every entry is larger.
    func floor(_ key: Int64) -> Entry? {
        var low = 0
        var high = count - 1
        var found: Entry?
        while low <= high {
            let middle = (low + high) / 2
            let candidate = entry(at: middle)
            if candidate.key <= key {
                found = candidate
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found
    }

    /// Cuts the file to the entries in use; the mapping stays as it is (readers only read
    /// slots below the count, which stay inside the file).
    func trim() throws {
        try file.truncate(to: Int64(count * Entry.size))
    }

    /// Syncs the mapped pages to disk.
    func flush() throws {
        guard msync(base, mappedBytes, MS_SYNC) == 0 else {
            throw BasaltError.io(operation: "msync", path: path, errno: errno)
        }
    }
}
