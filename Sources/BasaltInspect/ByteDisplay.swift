/// Shows record keys, values and header values safely: printable UTF-8 as quoted text,
/// anything else as the hex of its first bytes, always with the length, so a dump never
/// writes control characters to a terminal.
struct ByteDisplay {
    /// Most characters of text shown before `…`.
    var maxTextCharacters = 80
    /// Most bytes shown in hex.
    var maxHexBytes = 32

    /// `"text"`, `hex:0a0b…`, or `null`, then ` (N B)` unless null.
    func text(_ bytes: ArraySlice<UInt8>?) -> String {
        guard let bytes else { return "null" }
        return shown(bytes) + " (\(bytes.count) B)"
    }

    /// The value without its length.
    func shown(_ bytes: ArraySlice<UInt8>) -> String {
        guard isPrintable(bytes) else { return "hex:" + hexHead(bytes) }
        let (head, truncated) = textHead(bytes)
        var escaped = ""
        for scalar in head.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "\"" + escaped + (truncated ? "…" : "") + "\""
    }

    /// The JSON form: `{"length": N, "text": …}` or `{"length": N, "hex": …}`, with
    /// `"truncated": true` when only the head is shown; null for a null value.
    func json(_ bytes: ArraySlice<UInt8>?) -> JSONValue {
        guard let bytes else { return .null }
        if isPrintable(bytes) {
            let (head, truncated) = textHead(bytes)
            return .object([("length", .int(bytes.count)), ("text", .string(head)), ("truncated", .bool(truncated))])
        }
        return .object([("length", .int(bytes.count)), ("hex", .string(hexHead(bytes, ellipsis: false))),
                        ("truncated", .bool(bytes.count > maxHexBytes))])
    }

    /// Whether the bytes are valid UTF-8 without control characters other than tab,
    /// newline and carriage return (nor C1 controls or bidirectional overrides, which
    /// can disguise terminal output). Builds no string; ASCII is checked a byte at a time.
    func isPrintable(_ bytes: ArraySlice<UInt8>) -> Bool {
        var asciiOnly = true
        for byte in bytes {
            if byte >= 0x80 {
                asciiOnly = false
                break
            }
            if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F { return false }
        }
        if asciiOnly { return true }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                let value = scalar.value
                if (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || (0x7F...0x9F).contains(value)
                    || (0x200B...0x200F).contains(value) || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) {
                    return false
                }
            case .emptyInput:
                return true
            case .error:
                return false
            }
        }
    }

    /// The first ``maxTextCharacters`` characters of printable bytes, and whether there
    /// are more. Decodes only the head.
    private func textHead(_ bytes: ArraySlice<UInt8>) -> (String, Bool) {
        var scalars = String.UnicodeScalarView()
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var count = 0
        while count < maxTextCharacters, case .scalarValue(let scalar) = decoder.decode(&iterator) {
            scalars.append(scalar)
            count += 1
        }
        if case .emptyInput = decoder.decode(&iterator) { return (String(scalars), false) }
        return (String(scalars), true)
    }

    private func hexHead(_ bytes: ArraySlice<UInt8>, ellipsis: Bool = true) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes.prefix(maxHexBytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self) + (ellipsis && bytes.count > maxHexBytes ? "…" : "")
    }
}
