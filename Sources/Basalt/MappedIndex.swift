import Glibc
import Synchronization

/// A sparse index file whose entries have the layout `Entry`: memory-mapped while its
/// segment takes appends, read with `pread` once the segment is sealed.
///
/// While its segment is active the file is preallocated to `capacityBytes` (rounded down
/// to whole entries) so appends never grow it. ``seal()`` syncs it, cuts it to the
/// entries in use (which is what makes `fileLength / Entry.size` the entry count when it
/// is opened again) and drops the mapping. Sealed indexes, and those of closed segments
/// opened with ``init(sealedAt:io:)``, are never mapped: every page of a mapped index a
/// lookup or the open-time sanity check touched would stay in the broker's RSS for the
/// segment's lifetime, so resident memory would grow with the data kept. A sealed lookup
/// costs one `pread` per binary-search step (about 17 for a full 1 GiB segment), served
/// from the page cache. Not checksummed: after a crash the indexes of the recovered
/// segments are rebuilt from the log.
///
/// Concurrency: one writer (the partition's append path, under its lock) appends and
/// seals; any number of readers search. A writer stores the entry's bytes, then
/// publishes the new count with release ordering; readers load the count with acquire
/// ordering and never look past it. A reader takes its own reference to the
/// ``IndexMapping`` before it reads, so sealing never unmaps pages under it, and the
/// file is only cut to the published count, so a reader that raced the seal still finds
/// its slots in the file. That is what makes the `@unchecked Sendable` sound.
final class MappedIndex<Entry: IndexEntry>: @unchecked Sendable {
    /// Where the entries are: the mapping, or the file alone once sealed, with the last
    /// entry kept so the append path's bookkeeping needs no read.
    private enum Backing: Sendable {
        case mapped(IndexMapping)
        case sealed(last: Entry?)
    }

    let path: String
    private let file: StorageFile
    private let backing: Mutex<Backing>
    /// How many entries fit: in the mapping, or the file's entries once sealed.
    let capacity: Int
    private let published = Atomic<Int>(0)

    /// Number of entries in use.
    var count: Int { published.load(ordering: .acquiring) }
    var isFull: Bool { count >= capacity }
    /// Whether the index is still mapped for appends (false once sealed).
    var isMapped: Bool {
        backing.withLock { backing in
            if case .mapped = backing { return true }
            return false
        }
    }

    /// Opens or creates the index at `path` and maps `capacityBytes` of it for appends.
    /// An existing file's entries (its length divided by the entry size) are kept; call
    /// ``Segment/sanityCheck(nextOffset:)`` before trusting them.
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
        self.path = path
        self.file = file
        self.backing = Mutex(.mapped(try IndexMapping(file: file, lengthBytes: mappedBytes)))
        self.capacity = capacity
        published.store(entries, ordering: .releasing)
    }

    /// Opens the index of a sealed segment read-only, without mapping it: its entries
    /// are the file's length divided by the entry size.
    ///
    /// - Throws: ``BasaltError/corruptIndex(file:reason:)`` when the length is not whole
    ///   entries; ``BasaltError/io(operation:path:errno:)``.
    init(sealedAt path: String, io: any FileIO) throws {
        let file = try StorageFile(path: path, flags: O_RDONLY, io: io)
        let length = try file.size()
        guard length % Int64(Entry.size) == 0 else {
            throw BasaltError.corruptIndex(file: path, reason: "length \(length) is not whole \(Entry.size)-byte entries")
        }
        let entries = Int(length) / Entry.size
        self.path = path
        self.file = file
        self.capacity = entries
        self.backing = Mutex(.sealed(last: nil))
        published.store(entries, ordering: .releasing)
        if entries > 0 {
            let last = try read(slot: entries - 1)
            backing.withLock { $0 = .sealed(last: last) }
        }
    }

    /// The entry at `slot`, which must be below ``count``.
    /// Throws ``BasaltError/corruptIndex(file:reason:)`` when a sealed file is shorter
    /// than its count, and ``BasaltError/io(operation:path:errno:)``.
    func entry(at slot: Int) throws -> Entry {
        precondition(slot >= 0 && slot < capacity, "index slot out of range")
        switch backing.withLock({ $0 }) {
        case .mapped(let mapping): return Entry(loading: mapping.base + slot * Entry.size)
        case .sealed: return try read(slot: slot)
        }
    }

    /// The last entry, if any. Never reads the file.
    var last: Entry? {
        switch backing.withLock({ $0 }) {
        case .mapped(let mapping):
            let count = self.count
            return count == 0 ? nil : Entry(loading: mapping.base + (count - 1) * Entry.size)
        case .sealed(let last):
            return last
        }
    }

    /// Appends an entry. Keys must increase; callers check ``isFull`` first, and only a
    /// mapped (unsealed) index takes appends.
    func append(_ entry: Entry) {
        let mapping = writableMapping()
        let count = published.load(ordering: .relaxed)
        precondition(count < capacity, "appending to a full index")
        if count > 0 {
            precondition(Entry(loading: mapping.base + (count - 1) * Entry.size).key < entry.key, "index keys must increase")
        }
        entry.store(to: mapping.base + count * Entry.size)
        published.store(count + 1, ordering: .releasing)
    }

    /// Drops entries from `count` on: used when the log is truncated.
    func truncate(toCount count: Int) {
        _ = writableMapping()
        precondition(count >= 0 && count <= self.count, "index truncation beyond its end")
        published.store(count, ordering: .releasing)
    }

    /// The last entry whose key is at most `key`, or nil when every entry is larger.
    /// Throws as ``entry(at:)``.
    func floor(_ key: Int64) throws -> Entry? {
        // The backing first: once sealed the count is final and the file holds it all.
        let backing = self.backing.withLock { $0 }
        let count = self.count
        switch backing {
        case .mapped(let mapping):
            return Self.floor(key, count: count) { Entry(loading: mapping.base + $0 * Entry.size) }
        case .sealed:
            return try Self.floor(key, count: count) { try read(slot: $0) }
        }
    }

    private static func floor(_ key: Int64, count: Int, entry: (Int) throws -> Entry) rethrows -> Entry? {
        var low = 0
        var high = count - 1
        var found: Entry?
        while low <= high {
            let middle = (low + high) / 2
            let candidate = try entry(middle)
            if candidate.key <= key {
                found = candidate
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found
    }

    /// Calls `body` with each entry in use, in order. A sealed index is read in chunks
    /// (``IndexFileReader``), so checking a large one costs a few reads and maps nothing.
    /// Throws what `body` throws and as ``entry(at:)``.
    func forEachEntry(_ body: (_ slot: Int, _ entry: Entry) throws -> Void) throws {
        let backing = self.backing.withLock { $0 }
        let count = self.count
        switch backing {
        case .mapped(let mapping):
            for slot in 0..<count { try body(slot, Entry(loading: mapping.base + slot * Entry.size)) }
        case .sealed:
            var reader = try IndexFileReader<Entry>(file: file)
            guard reader.entryCount >= count else {
                throw BasaltError.corruptIndex(file: path, reason: "file holds \(reader.entryCount) entries, expected \(count)")
            }
            for slot in 0..<count { try body(slot, try reader.entry(at: slot)) }
        }
    }

    /// Makes the index read-only: syncs the mapped pages, cuts the file to the entries in
    /// use and drops the mapping (readers still holding it finish on it). Idempotent.
    /// Throws ``BasaltError/io(operation:path:errno:)``; the index then stays mapped.
    func seal() throws {
        guard case .mapped(let mapping) = backing.withLock({ $0 }) else { return }
        try mapping.sync(path: path)
        try file.truncate(to: Int64(count * Entry.size))
        let last = self.last
        backing.withLock { $0 = .sealed(last: last) }
    }

    private func writableMapping() -> IndexMapping {
        guard case .mapped(let mapping) = backing.withLock({ $0 }) else {
            preconditionFailure("writing to the sealed index \(path)")
        }
        return mapping
    }

    /// Reads one entry with `pread`.
    private func read(slot: Int) throws -> Entry {
        try withUnsafeTemporaryAllocation(byteCount: Entry.size, alignment: 8) { buffer in
            let got = try file.read(into: buffer, at: Int64(slot * Entry.size))
            guard got == Entry.size, let base = buffer.baseAddress else {
                throw BasaltError.corruptIndex(file: path, reason: "file ends before entry \(slot)")
            }
            return Entry(loading: base)
        }
    }
}
