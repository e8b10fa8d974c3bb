import Foundation
import Synchronization

/// Hands out producer ids that are never reused, across restarts.
///
/// Ids are reserved in blocks: the file `producer-ids` holds the first id of the next
/// block and is rewritten (atomically, synced) once per block, not once per id. A crash
/// skips the rest of the current block, which is harmless.
final class ProducerIdAllocator: Sendable {
    static let blockSize: Int64 = 1000

    private struct State {
        var next: Int64
        var reservedUntil: Int64
    }

    private let path: String
    private let state: Mutex<State>

    init(directory: String) throws {
        path = directory + "/producer-ids"
        var start: Int64 = 0
        if let data = FileManager.default.contents(atPath: path),
           let text = String(data: data, encoding: .utf8),
           let value = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            start = value
        }
        state = Mutex(State(next: start, reservedUntil: start))
    }

    /// The next unused producer id.
    func next() throws -> Int64 {
        try state.withLock { state in
            if state.next >= state.reservedUntil {
                let until = state.next + Self.blockSize
                try DurableFile.write(String(until), to: path)
                state.reservedUntil = until
            }
            defer { state.next += 1 }
            return state.next
        }
    }
}
