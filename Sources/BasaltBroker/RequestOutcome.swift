import Basalt
import NIOCore

/// What the broker does after handling one request of a connection.
public enum RequestOutcome: Sendable {
    /// Send this response frame.
    case respond(ResponseFrame)
    /// Send nothing (Produce with acks=0).
    case noResponse
    /// Close the connection, logging `reason` once (malformed frames, unknown APIs).
    case close(reason: String)
}

/// A response frame as a sequence of parts: encoded bytes, and runs of stored record
/// batches that go from the segment file to the socket with `sendfile`, never through
/// a user-space buffer.
public struct ResponseFrame: Sendable {
    /// One piece of the frame, in order.
    public enum Part: Sendable {
        /// Encoded protocol bytes.
        case bytes(ByteBuffer)
        /// Whole batches from a segment file.
        case file(LogSlice)
    }

    /// The parts; the first starts with the int32 size of the rest.
    public var parts: [Part]

    /// A frame made of bytes only.
    public init(bytes: ByteBuffer) {
        parts = [.bytes(bytes)]
    }

    /// A frame of several parts.
    public init(parts: [Part]) {
        self.parts = parts
    }

    /// Total bytes on the wire.
    public var byteCount: Int {
        parts.reduce(0) { total, part in
            switch part {
            case .bytes(let buffer): total + buffer.readableBytes
            case .file(let slice): total + slice.length
            }
        }
    }
}
