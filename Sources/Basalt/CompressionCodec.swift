/// The compression codec of a record batch: bits 0–2 of its attributes.
///
/// Basalt writes and reads ``none`` and ``lz4``. Batches in the other codecs are
/// recognised and carried through verbatim where no decoding is needed, but decoding
/// their records throws ``BasaltError/unsupportedCompression(codec:)``.
public enum CompressionCodec: Int16, Sendable, CaseIterable, CustomStringConvertible {
    /// Records stored as they are.
    case none = 0
    /// gzip (not decoded by Basalt).
    case gzip = 1
    /// Snappy (not decoded by Basalt).
    case snappy = 2
    /// LZ4 frame format, as Kafka clients write it.
    case lz4 = 3
    /// Zstandard (not decoded by Basalt).
    case zstd = 4

    /// Kafka's name for the codec.
    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    /// Whether Basalt can compress and decompress this codec.
    public var isSupported: Bool { self == .none || self == .lz4 }
}
