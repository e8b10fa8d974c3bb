/// Splits a byte stream of concatenated JSON objects (`{…}{…}` or one per line, as the gateway
/// writes streaming responses) into one complete object at a time, however the bytes are chunked.
///
/// It tracks only what decides where an object ends: nesting depth of `{`/`[` outside strings, and
/// whether it is inside a string or just after a backslash. Validating the object is left to
/// JSONDecoder. Bytes between objects must be whitespace; anything else is rejected, and an object
/// that grows past `maxObjectBytes` is rejected before more memory is spent on it.
struct EtcdJSONObjectSplitter {
    enum Failure: Error, Equatable {
        /// A byte other than whitespace or `{` between objects.
        case unexpectedByte(UInt8)
        /// An object longer than the limit.
        case objectTooLarge(limitBytes: Int)
    }

    let maxObjectBytes: Int
    private var current: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false

    init(maxObjectBytes: Int) {
        precondition(maxObjectBytes > 0)
        self.maxObjectBytes = maxObjectBytes
    }

    /// Feeds the next bytes; returns every object they complete, in order.
    mutating func append(_ bytes: some Sequence<UInt8>) throws(Failure) -> [[UInt8]] {
        var complete: [[UInt8]] = []
        for byte in bytes {
            if depth == 0 {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    continue
                case UInt8(ascii: "{"):
                    current.removeAll(keepingCapacity: true)
                    current.append(byte)
                    depth = 1
                    continue
                default:
                    throw .unexpectedByte(byte)
                }
            }
            guard current.count < maxObjectBytes else { throw .objectTooLarge(limitBytes: maxObjectBytes) }
            current.append(byte)
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    complete.append(current)
                    current.removeAll(keepingCapacity: true)
                }
            default:
                break
            }
        }
        return complete
    }

    /// Bytes of an object begun but not yet finished.
    var pendingBytes: Int { depth == 0 ? 0 : current.count }
}
