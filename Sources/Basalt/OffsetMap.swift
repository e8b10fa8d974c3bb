/// The cleaner's memory-bounded map from key hash to the offset of the key's latest
/// record in the section being cleaned (Kafka's `SkimpyOffsetMap`).
///
/// A fixed open-addressing table of 24-byte slots (16-byte ``KeyHash`` and 8-byte
/// offset), allocated once at ``init(memoryBytes:)`` and reused for every partition, so
/// the cleaner's memory is the configured size whatever the keys. Lookups probe linearly
/// from the slot the hash picks. The map counts as full at ``maxLoadFactor`` of its
/// slots (Kafka's 0.9), after which the cleaner stops building it and cleans up to the
/// last offset it holds.
///
/// Not thread-safe: one cleaner owns it.
final class OffsetMap {
    /// Bytes per slot: a 16-byte hash and an 8-byte offset.
    static let slotBytes = 24
    /// Share of the slots that may be used.
    static let maxLoadFactor = 0.9
    /// The smallest map accepted: room for a few keys.
    static let minimumBytes = 64 * slotBytes

    private var highs: [UInt64]
    private var lows: [UInt64]
    /// −1 marks an empty slot.
    private var offsets: [Int64]
    /// How many slots are in use.
    private(set) var count = 0
    /// The number of keys the map takes before it is full.
    let capacity: Int
    /// The largest offset put since the last ``clear()``; −1 when none.
    private(set) var latestOffset: Int64 = -1

    /// A map using about `memoryBytes` of memory (at least ``minimumBytes``).
    init(memoryBytes: Int) {
        let slots = max(memoryBytes, Self.minimumBytes) / Self.slotBytes
        highs = [UInt64](repeating: 0, count: slots)
        lows = [UInt64](repeating: 0, count: slots)
        offsets = [Int64](repeating: -1, count: slots)
        capacity = Int(Double(slots) * Self.maxLoadFactor)
    }

    var isFull: Bool { count >= capacity }

    /// Empties the map (keeps its memory).
    func clear() {
        for index in offsets.indices { offsets[index] = -1 }
        count = 0
        latestOffset = -1
    }

    private func slot(for hash: KeyHash) -> Int {
        var index = Int(truncatingIfNeeded: hash.low % UInt64(offsets.count))
        while offsets[index] >= 0 && (highs[index] != hash.high || lows[index] != hash.low) {
            index += 1
            if index == offsets.count { index = 0 }
        }
        return index
    }

    /// Records `offset` as the latest of `hash`. The caller checks ``isFull`` first;
    /// putting into a full map is a programmer error.
    func put(_ hash: KeyHash, offset: Int64) {
        let index = slot(for: hash)
        if offsets[index] < 0 {
            precondition(count < capacity, "put into a full offset map")
            highs[index] = hash.high
            lows[index] = hash.low
            count += 1
        }
        offsets[index] = offset
        latestOffset = max(latestOffset, offset)
    }

    /// The latest offset recorded for `hash`, or nil.
    func get(_ hash: KeyHash) -> Int64? {
        let offset = offsets[slot(for: hash)]
        return offset >= 0 ? offset : nil
    }
}
