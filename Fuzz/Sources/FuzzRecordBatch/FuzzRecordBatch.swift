import Basalt

// Feeds arbitrary bytes to the record batch decoder and the decoders of every
// compression codec (gzip, snappy, LZ4, zstd), the way a segment file, a Produce request
// or a replicated batch reaches them. Every thrown error is a correct outcome; a crash,
// a sanitizer report, a hang or a huge allocation is a bug.
//
// Each input is decoded four ways:
// 1. as it is: a sequence of batches, as a `.log` file holds them;
// 2. with every batch's CRC made right, so mutations get past the checksum into the
//    header checks and the records;
// 3. as the records section of a batch with a valid header, uncompressed or compressed
//    with any codec, so the record walker sees arbitrary bytes without the fuzzer having
//    to find a whole valid batch (or compressed stream) first;
// 4. as the compressed records of each codec: a gzip stream, a snappy stream or block,
//    an LZ4 frame, zstd frames. What decodes must survive a round trip.

/// Largest batch, and largest decompressed records section, the target accepts:
/// small, so a decompression bomb costs little and libFuzzer's malloc limit only
/// fires on a real over-allocation.
private let maxBatchBytes = 1 << 20
private let decompressedLimit = 1 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordBatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    decodeBatches(input)
    let sealed = sealingCRCs(input)
    if sealed != input {
        decodeBatches(sealed)
    }
    decodeAsRecordsSection(input)
    for codec in CompressionCodec.allCases where codec != .none {
        decodeAsStream(input, codec)
    }
    return 0
}

/// Decompresses `input` as `codec`; when that works, the output compressed again must
/// decompress to itself.
private func decodeAsStream(_ input: [UInt8], _ codec: CompressionCodec) {
    let limit = 1 << 16
    guard let output = try? input.withUnsafeBytes({ try codec.decompress($0, limit: limit) }) else { return }
    precondition(output.count <= limit, "\(codec) decoded past its limit")
    guard let again = try? output.withUnsafeBytes({ try codec.compress($0) }),
          let back = try? again.withUnsafeBytes({ try codec.decompress($0, limit: limit) }) else {
        preconditionFailure("\(codec) cannot round-trip what it decoded")
    }
    precondition(back == output, "\(codec) round trip changed the bytes")
}

/// Reads batches back to back from position 0 until one fails, reading every record
/// of each.
private func decodeBatches(_ storage: [UInt8]) {
    var position = 0
    while position < storage.count {
        guard let batch = try? RecordBatch(storage: storage, at: position, maxBatchBytes: maxBatchBytes) else { return }
        precondition(batch.header.totalSize >= 61 && position + batch.header.totalSize <= storage.count)
        readRecords(batch)
        position += batch.header.totalSize
    }
}

/// Decodes the records of `batch` every way the API offers and touches every byte
/// of them, so an out-of-bounds slice shows up here rather than in a caller.
private func readRecords(_ batch: RecordBatch) {
    let validated = (try? batch.validateRecords(decompressedLimit: decompressedLimit)) != nil
    guard let records = try? batch.records(decompressedLimit: decompressedLimit) else {
        precondition(!validated, "validateRecords accepted what records() rejects")
        return
    }
    precondition(validated, "records() accepted what validateRecords rejects")
    precondition(records.count == Int(batch.header.recordsCount), "record count differs from the header")
    var checksum: UInt32 = 0
    for (index, record) in records.enumerated() {
        precondition(record.offset == batch.header.baseOffset &+ Int64(index), "offsets are not contiguous")
        if let key = record.key { checksum = key.withUnsafeBytes { CRC32C.checksum($0, continuing: checksum) } }
        if let value = record.value { checksum = value.withUnsafeBytes { CRC32C.checksum($0, continuing: checksum) } }
        for header in record.headers {
            checksum = CRC32C.checksum(Array(header.key.utf8), continuing: checksum)
            if let value = header.value { checksum = CRC32C.checksum(value, continuing: checksum) }
        }
    }
    let skipFrom = batch.header.baseOffset &+ Int64(records.count / 2)
    let skipped = (try? batch.records(from: skipFrom, decompressedLimit: decompressedLimit)) ?? []
    precondition(skipped.count == records.filter { $0.offset >= skipFrom }.count, "records(from:) skipped wrongly")
    blackHole(checksum)
}

/// A copy of `input` in which every batch the length fields describe has a correct CRC.
private func sealingCRCs(_ input: [UInt8]) -> [UInt8] {
    var output = input
    output.withUnsafeMutableBytes { raw in
        var position = 0
        while raw.count - position >= 61 {
            let length = Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: position + 8, as: Int32.self)))
            let end = position + 12 + length
            guard length >= 49, end <= raw.count else { return }
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(position + 21)..<end]))
            raw.storeBytes(of: crc.bigEndian, toByteOffset: position + 17, as: UInt32.self)
            position = end
        }
    }
    return output
}

/// Wraps `input` as the records section of a batch with a valid header and CRC. The
/// first byte picks the codec the section is compressed with (bits 0–2 of the second
/// byte, modulo 5, when bit 7 is set; none otherwise), log-append time (bit 6) and where
/// the record count comes from: with bit 5 set, the next four bytes (big-endian, any
/// positive Int32, so hostile counts are tried); otherwise bits 0–4 plus one. The rest
/// is the section.
private func decodeAsRecordsSection(_ input: [UInt8]) {
    guard let control = input.first else { return }
    var rest = input.dropFirst()
    var compression = CompressionCodec.none
    if control & 0x80 != 0 {
        guard let codecByte = rest.first else { return }
        compression = CompressionCodec.allCases[Int(codecByte & 0x07) % CompressionCodec.allCases.count]
        rest = rest.dropFirst()
    }
    var recordsCount = Int32(control & 0x1F) + 1
    if control & 0x20 != 0 {
        guard rest.count >= 4 else { return }
        let raw = rest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        recordsCount = max(1, Int32(bitPattern: raw & 0x7FFF_FFFF))
        rest = rest.dropFirst(4)
    }
    let section = Array(rest)
    guard let payload = try? section.withUnsafeBytes({ try compression.compress($0) }) else { return }
    var batch: [UInt8] = []
    batch.reserveCapacity(61 + payload.count)
    appendBigEndian(Int64(1000), to: &batch)  // baseOffset
    appendBigEndian(Int32(49 + payload.count), to: &batch)  // batchLength
    appendBigEndian(Int32(0), to: &batch)  // partitionLeaderEpoch
    batch.append(2)  // magic
    appendBigEndian(UInt32(0), to: &batch)  // crc, sealed below
    appendBigEndian(compression.rawValue | (control & 0x40 != 0 ? 0x08 : 0), to: &batch)  // attributes
    appendBigEndian(recordsCount - 1, to: &batch)  // lastOffsetDelta
    appendBigEndian(Int64(1_700_000_000_000), to: &batch)  // baseTimestamp
    appendBigEndian(Int64(1_700_000_000_000), to: &batch)  // maxTimestamp
    appendBigEndian(Int64(-1), to: &batch)  // producerId
    appendBigEndian(Int16(-1), to: &batch)  // producerEpoch
    appendBigEndian(Int32(-1), to: &batch)  // baseSequence
    appendBigEndian(recordsCount, to: &batch)  // recordsCount
    batch += payload
    let sealed = sealingCRCs(batch)
    guard let parsed = try? RecordBatch(storage: sealed, maxBatchBytes: maxBatchBytes) else {
        // Only the size limit may refuse this batch: its header is valid by construction.
        precondition(sealed.count > maxBatchBytes, "a well-formed header was rejected")
        return
    }
    readRecords(parsed)
}

private func appendBigEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
}

/// Keeps the optimizer from dropping reads whose result is otherwise unused.
@inline(never)
private func blackHole(_ value: UInt32) {
    if value == 0x5EED_F00D { print("", terminator: "") }
}
