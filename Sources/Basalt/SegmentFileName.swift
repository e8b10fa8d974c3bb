/// File names of a segment: its base offset as 20 zero-padded decimal digits and an
/// extension, as Kafka names them (`00000000000000368769.log`).
public enum SegmentFileName {
    /// Extension of the log file.
    public static let log = "log"
    /// Extension of the offset index.
    public static let offsetIndex = "index"
    /// Extension of the time index.
    public static let timeIndex = "timeindex"

    /// `00000000000000368769` for 368769.
    public static func stem(_ baseOffset: Int64) -> String {
        precondition(baseOffset >= 0, "negative base offset")
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The file name for a base offset and extension.
    public static func name(_ baseOffset: Int64, _ fileExtension: String) -> String {
        stem(baseOffset) + "." + fileExtension
    }

    /// The base offset and extension a file name encodes, or nil when it is not named
    /// like a segment file.
    public static func parse(_ name: String) -> (baseOffset: Int64, fileExtension: String)? {
        guard let dot = name.firstIndex(of: ".") else { return nil }
        let stem = name[..<dot]
        guard stem.count == 20, stem.allSatisfy({ $0.isASCII && $0.isNumber }), let base = Int64(stem) else { return nil }
        return (base, String(name[name.index(after: dot)...]))
    }
}
