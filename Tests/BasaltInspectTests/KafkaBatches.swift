import Basalt

/// Batches as Apache Kafka stores them in every codec: the header names the codec, the
/// records section is that codec's stream as the Java client writes it, the CRC matches.
enum KafkaBatches {
    /// Five contiguous batches (offsets 0–4): none, gzip, snappy, lz4, zstd.
    static func mixedCodecs() throws -> [UInt8] {
        var segment: [UInt8] = []
        for (offset, codec) in CompressionCodec.allCases.enumerated() {
            segment += try RecordBatchEncoder.encode([Fixture.record(offset)], compression: codec, baseOffset: Int64(offset),
                                                     timestamp: Fixture.baseTimestamp)
        }
        return segment
    }

    /// One uncompressed batch whose attributes name codec `number` (5–7 are invalid),
    /// with a matching CRC.
    static func codecNumber(_ number: UInt8, offset: Int) throws -> [UInt8] {
        var batch = try RecordBatchEncoder.encode([Fixture.record(offset)], baseOffset: Int64(offset),
                                                  timestamp: Fixture.baseTimestamp)
        // attributes (int16 at byte 21): codec in bits 0–2.
        batch[22] = (batch[22] & ~0x07) | number
        let crc = batch.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        batch.replaceSubrange(17..<21, with: FileBytes.bigEndian(crc))
        return batch
    }
}
