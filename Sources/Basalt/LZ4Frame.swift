import CLZ4

/// The LZ4 frame format as Kafka clients use it for codec 3.
///
/// Compression writes what the Java client and librdkafka write: the frame descriptor
/// `04 22 4D 18 60 40 82` (independent 64 KiB blocks, no checksums, no content size), the
/// blocks, and the end mark. Decompression accepts any valid frame: content size present
/// (kafka-python), block and content checksums, linked blocks, every block size.
public enum LZ4Frame {
    /// Compresses `input` into one LZ4 frame.
    public static func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum
        preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum
        preferences.frameInfo.contentSize = 0
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var failure: String?
        let frame = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let written = LZ4F_compressFrame(buffer.baseAddress, bound, input.baseAddress, input.count, &preferences)
            if LZ4F_isError(written) != 0 {
                failure = String(cString: LZ4F_getErrorName(written))
                count = 0
            } else {
                count = written
            }
        }
        if let failure { throw BasaltError.corruptCompressedData(reason: "LZ4 compression failed: \(failure)") }
        return frame
    }

    /// Decompresses one complete LZ4 frame.
    ///
    /// - Parameters:
    ///   - frame: exactly one frame; bytes after its end mark are an error.
    ///   - expectedSize: a guess of the decompressed size, to size the output in one go.
    ///   - limit: the most bytes the output may hold; a frame that decompresses to more
    ///     is rejected, so a small hostile batch cannot claim gigabytes of memory.
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` for a damaged, truncated
    ///   or oversized frame.
    public static func decompress(
        _ frame: UnsafeRawBufferPointer, expectedSize: Int = 0, limit: Int
    ) throws -> [UInt8] {
        // LZ4 expands at most about 255:1, so a guess beyond that (a hostile record count,
        // say) is capped instead of allocated; the loop below still grows to the limit.
        let plausibleSize = min(expectedSize, frame.count * 255)
        var capacity = min(limit, max(plausibleSize, frame.count * 4, 1024))
        while true {
            switch try attempt(frame, capacity: capacity) {
            case .done(let output): return output
            case .outputFull:
                guard capacity < limit else {
                    throw BasaltError.corruptCompressedData(
                        reason: "LZ4 frame decompresses to more than the limit of \(limit) bytes")
                }
                capacity = limit / 4 > capacity ? capacity * 4 : limit
            }
        }
    }

    private enum Attempt {
        case done([UInt8])
        case outputFull
    }

    private static func attempt(_ frame: UnsafeRawBufferPointer, capacity: Int) throws -> Attempt {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw BasaltError.corruptCompressedData(reason: "cannot create an LZ4 decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }

        var failure: String?
        var full = false
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var inputPosition = 0
            var outputPosition = 0
            while true {
                var outputSize = capacity - outputPosition
                var inputSize = frame.count - inputPosition
                let hint = LZ4F_decompress(
                    context, buffer.baseAddress.map { $0 + outputPosition }, &outputSize,
                    frame.baseAddress.map { $0 + inputPosition }, &inputSize, nil)
                if LZ4F_isError(hint) != 0 {
                    failure = String(cString: LZ4F_getErrorName(hint))
                    break
                }
                inputPosition += inputSize
                outputPosition += outputSize
                if hint == 0 {
                    if inputPosition != frame.count {
                        failure = "\(frame.count - inputPosition) bytes after the end of the frame"
                    }
                    break
                }
                if outputPosition == capacity {
                    full = true
                    break
                }
                // LZ4F_decompress does not fail on a truncated frame: it asks for more
                // input. With all input used and room left in the output, that is corruption.
                if inputPosition == frame.count {
                    failure = "frame is truncated"
                    break
                }
            }
            count = failure == nil && !full ? outputPosition : 0
        }
        if let failure { throw BasaltError.corruptCompressedData(reason: "LZ4: \(failure)") }
        return full ? .outputFull : .done(output)
    }
}
