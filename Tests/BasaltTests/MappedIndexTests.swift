import Glibc
import Testing
@testable import Basalt

@Suite struct MappedIndexTests {
    static func filled(_ path: String, entries: Int) throws -> MappedIndex<OffsetIndexEntry> {
        let index = try MappedIndex<OffsetIndexEntry>(path: path, capacityBytes: 4096, io: SystemFileIO())
        for slot in 1...entries { index.append(OffsetIndexEntry(relativeOffset: Int32(slot * 10), position: Int32(slot * 1000))) }
        return index
    }

    static let probes: [Int64] = [0, 9, 10, 11, 555, 999, 1000, 5000]

    @Test func sealingUnmapsAndLookupsAnswerTheSame() throws {
        let directory = TemporaryDirectory()
        let path = directory.child("0.index")
        let index = try Self.filled(path, entries: 100)
        let whileMapped = try Self.probes.map { try index.floor($0) }
        #expect(index.isMapped)
        #expect(fileSize(path) == 4096)

        try index.seal()
        #expect(!index.isMapped)
        #expect(fileSize(path) == 100 * Int64(OffsetIndexEntry.size))
        #expect(try Self.probes.map { try index.floor($0) } == whileMapped)
        #expect(index.last == OffsetIndexEntry(relativeOffset: 1000, position: 100_000))
        #expect(try index.entry(at: 41) == OffsetIndexEntry(relativeOffset: 420, position: 42_000))
        try index.seal()
        #expect(index.count == 100)
    }

    @Test func sealedOpenReadsWithoutMapping() throws {
        let directory = TemporaryDirectory()
        let path = directory.child("0.index")
        let whileMapped = try {
            let index = try Self.filled(path, entries: 300)
            defer { try? index.seal() }
            return try Self.probes.map { try index.floor($0) }
        }()
        let reopened = try MappedIndex<OffsetIndexEntry>(sealedAt: path, io: SystemFileIO())
        #expect(!reopened.isMapped)
        #expect(reopened.count == 300 && reopened.isFull)
        #expect(reopened.last == OffsetIndexEntry(relativeOffset: 3000, position: 300_000))
        #expect(try Self.probes.map { try reopened.floor($0) } == whileMapped)
        var slots: [Int] = []
        try reopened.forEachEntry { slot, entry in
            #expect(entry.relativeOffset == Int32((slot + 1) * 10))
            slots.append(slot)
        }
        #expect(slots == Array(0..<300))
        #expect(!mapsContain(path))
    }

    @Test func raggedSealedFileIsCorruptIndex() throws {
        let directory = TemporaryDirectory()
        let path = directory.child("0.index")
        try Self.filled(path, entries: 3).seal()
        overwrite(path, at: 24, with: [1, 2, 3])
        #expect(throws: BasaltError.self) { try MappedIndex<OffsetIndexEntry>(sealedAt: path, io: SystemFileIO()) }
    }

    /// A sealed index cut short behind the store's back throws on lookup instead of
    /// reading past the file, and the segment then scans from its start.
    @Test func sealedFileShorterThanItsCountThrows() throws {
        let directory = TemporaryDirectory()
        let path = directory.child("0.index")
        try Self.filled(path, entries: 50).seal()
        let reopened = try MappedIndex<OffsetIndexEntry>(sealedAt: path, io: SystemFileIO())
        #expect(truncate(path, 8) == 0)
        #expect(throws: BasaltError.self) { try reopened.floor(400) }
        #expect(throws: BasaltError.self) { try reopened.forEachEntry { _, _ in } }
    }
}

/// Whether this process has `path` mapped.
func mapsContain(_ path: String) -> Bool {
    let descriptor = open("/proc/self/maps", O_RDONLY)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var maps: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = read(descriptor, &chunk, chunk.count)
        guard got > 0 else { break }
        maps += chunk[..<got]
    }
    return String(decoding: maps, as: UTF8.self).contains(path)
}
