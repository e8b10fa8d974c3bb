import Basalt

/// Batches as Apache Kafka writes them with codecs Basalt does not decode: the header
/// names the codec, the records section is whatever the codec produced (here, bytes
/// that are never decoded), the CRC matches.
enum KafkaBatches {
    /// Four contiguous batches (offsets 0–3): none, gzip, snappy, zstd.
    static func mixedCodecs() throws -> [UInt8] {
        var segment: [UInt8] = []
        for (offset, codec) in [CompressionCodec.none, .gzip, .snappy, .zstd].enumerated() {
            var batch = try RecordBatchEncoder.encode([Fixture.record(offset)], baseOffset: Int64(offset),
                                                      timestamp: Fixture.baseTimestamp)
            // attributes (int16 at byte 21): codec in bits 0–2.
            batch[22] = (batch[22] & ~0x07) | UInt8(codec.rawValue)
            let crc = batch.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
            batch.replaceSubrange(17..<21, with: FileBytes.bigEndian(crc))
            segment += batch
        }
        return segment
    }
}
