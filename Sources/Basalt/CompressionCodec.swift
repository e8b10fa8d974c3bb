/// The compression codec of a record batch: bits 0–2 of its attributes.
///
/// Basalt writes and reads all five codecs Kafka defines, in every form Kafka clients
/// write them; ``compress(_:)`` and ``decompress(_:expectedSize:limit:)`` reach each
/// format's type. Codec numbers 5–7 are invalid: ``RecordBatchHeader/compression`` is nil
/// for them and decoding their records throws ``BasaltError/unsupportedCompression(codec:)``.
public enum CompressionCodec: Int16, Sendable, CaseIterable, CustomStringConvertible {
    /// Records stored as they are.
    case none = 0
    /// gzip members (``GzipStream``).
    case gzip = 1
    /// Snappy, xerial-framed or one raw block (``SnappyStream``).
    case snappy = 2
    /// LZ4 frame format, as Kafka clients write it (``LZ4Frame``).
    case lz4 = 3
    /// Zstandard frames (``ZstdStream``).
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

    /// Whether Basalt can compress and decompress this codec: true for every codec
    /// Kafka defines, which is every case of this type.
    public var isSupported: Bool { true }
}
