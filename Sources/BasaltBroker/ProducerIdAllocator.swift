import Basalt
import Foundation
import Synchronization

/// Hands out producer ids that are never reused, across restarts.
///
/// Ids are reserved in blocks: the file `producer-ids` holds the first id of the next
/// block and is rewritten (atomically, synced) once per block, not once per id. A crash
/// skips the rest of the current block, which is harmless.
///
/// Reusing an id is silent data loss: a new producer given the id of one whose batch
/// with sequence 0 is still in the log has its own first batch (of the same record
/// count) answered as a duplicate of that one, and never stored. So the allocator never
/// starts below `floor` (one above every producer id the logs hold), and a file that is
/// there but unreadable stops the broker instead of being read as 0.
final class ProducerIdAllocator: Sendable {
    static let fileName = "producer-ids"
    static let blockSize: Int64 = 1000
    /// Ids at or above this are never handed out, so block arithmetic cannot overflow.
    /// At a million ids a second it is reached after 146,000 years.
    static let limit: Int64 = Int64.max / 2

    private struct State {
        var next: Int64
        var reservedUntil: Int64
    }

    private let path: String
    private let state: Mutex<State>

    /// Opens the allocator of the broker state directory `directory`.
    ///
    /// - Parameter floor: the lowest id it may hand out: one above the highest producer
    ///   id in the logs. The first id is the larger of it and the file's value, so a
    ///   removed file, or one restored from an old backup, cannot make an id the logs
    ///   hold be handed out again.
    /// - Throws: ``BrokerStateFileError`` when `producer-ids` exists but is not a decimal
    ///   id in `0..<limit`; ``BasaltError/io(operation:path:errno:)``.
    init(directory: String, floor: Int64) throws {
        precondition(floor >= 0 && floor <= Self.limit, "the floor comes from ids below the limit")
        path = directory + "/" + Self.fileName
        let remedy = "Restore it from a backup, or write a number into it above every producer id this broker ever "
            + "handed out (it starts at \(floor) or above anyway, above every id in the logs); with no backup, "
            + "\(floor + 1_000_000) leaves a margin for producers that got an id but have not written yet. "
            + "Removing it starts at \(floor), which reuses such producers' ids."
        var start = floor
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(path, maxBytes: 64)
        } catch BasaltError.corruptLog(_, _, let reason) {
            throw BrokerStateFileError(path: path, reason: reason, remedy: remedy)
        }
        if let bytes {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw BrokerStateFileError(path: path, reason: "not UTF-8 text", remedy: remedy)
            }
            guard let value = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), value >= 0, value < Self.limit else {
                throw BrokerStateFileError(
                    path: path, reason: "not a producer id in 0..<\(Self.limit)", remedy: remedy)
            }
            start = max(start, value)
        }
        state = Mutex(State(next: start, reservedUntil: start))
    }

    /// The next unused producer id.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` when the next block cannot be
    ///   recorded (no id is handed out then), ``BasaltError/invalidConfiguration(_:)``
    ///   when ids are exhausted.
    func next() throws -> Int64 {
        try state.withLock { state in
            if state.next >= state.reservedUntil {
                guard state.next < Self.limit else {
                    throw BasaltError.invalidConfiguration("producer ids are exhausted (\(Self.limit) handed out)")
                }
                let until = state.next + Self.blockSize
                try AtomicFile.replace(path, with: Array(String(until).utf8))
                state.reservedUntil = until
            }
            defer { state.next += 1 }
            return state.next
        }
    }
}
