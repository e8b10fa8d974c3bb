import Basalt

/// Finds the zero-filled preallocated slots at the end of an index file: an index is
/// preallocated while its segment is active and trimmed on roll or clean close, so
/// all-zero entries at its end mean it was never trimmed.
enum IndexTail {
    /// Entries before the trailing all-zero ones, reading backwards a chunk at a time.
    static func usedCount<Entry: IndexEntry>(
        _ reader: inout IndexFileReader<Entry>, isZero: (Entry) -> Bool
    ) throws -> Int {
        var count = reader.entryCount
        while count > 0, isZero(try reader.entry(at: count - 1)) { count -= 1 }
        return count
    }
}
