import Basalt

// Feeds arbitrary bytes to the parser of magic 0/1 message sets (Produce v0–2), the way a
// socket hands them over. Every thrown error is a correct outcome; a crash, a sanitizer
// report, a hang or a huge allocation is a bug.
//
// Each input is parsed twice: as it is, and with the CRC-32 of every top-level message
// made right, so mutations get past the checksum into the size, magic, attribute and
// length checks and into the compressed wrappers. What converts must then survive the
// round trip through a record batch v2 and back to magic 0 and 1 with the same keys and
// values.

/// Largest message and decompressed wrapper the target accepts: small, so a
/// decompression bomb costs little.
private let maxMessageBytes = 1 << 20
private let decompressedLimit = 1 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLegacyMessageSet(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    convert(input)
    let sealed = sealingCRCs(input)
    if sealed != input { convert(sealed) }
    return 0
}

private func convert(_ input: [UInt8]) {
    guard let parsed = try? input.withUnsafeBytes({
        try LegacyMessageSet.parse($0, maxMessageBytes: maxMessageBytes, decompressedLimit: decompressedLimit)
    }) else { return }
    precondition(!parsed.messages.isEmpty, "a parsed message set has messages")
    guard let converted = try? input.withUnsafeBytes({
        try LegacyMessageSet.convertToBatch($0, maxMessageBytes: maxMessageBytes, decompressedLimit: decompressedLimit)
    }) else {
        // Only the batch encoder's own limits may refuse what parsed.
        return
    }
    precondition(converted.recordCount == parsed.messages.count, "conversion lost messages")
    for magic: Int8 in [0, 1] {
        guard let down = try? LegacyMessageSet.downConvert(converted.batch, from: 0, magic: magic)
        else { preconditionFailure("a converted batch cannot be down-converted") }
        guard let back = try? down.bytes.withUnsafeBytes({
            try LegacyMessageSet.parse($0, maxMessageBytes: Int.max, decompressedLimit: decompressedLimit)
        }) else { preconditionFailure("down-converted messages do not parse") }
        precondition(back.messages.map(\.key) == parsed.messages.map(\.key), "keys changed")
        precondition(back.messages.map(\.value) == parsed.messages.map(\.value), "values changed")
        precondition(back.messages.map(\.offset) == Array(0..<Int64(back.messages.count)), "offsets not assigned in order")
    }
}

/// The input with the CRC of each top-level message whose size fits recomputed.
private func sealingCRCs(_ input: [UInt8]) -> [UInt8] {
    var output = input
    var position = 0
    while output.count - position >= 16 {
        let size = Int(Int32(bitPattern: UInt32(output[position + 8]) << 24 | UInt32(output[position + 9]) << 16
            | UInt32(output[position + 10]) << 8 | UInt32(output[position + 11])))
        guard size >= 4, size <= output.count - position - 12 else { break }
        let crc = output.withUnsafeBytes { raw in
            LegacyMessageSet.checksum(UnsafeRawBufferPointer(rebasing: raw[(position + 16)..<(position + 12 + size)]))
        }
        for index in 0..<4 { output[position + 12 + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(index))) }
        position += 12 + size
    }
    return output
}
