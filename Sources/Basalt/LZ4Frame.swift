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
        var capacity = firstCapacity(frame, expectedSize: expectedSize, limit: limit)
        while true {
            var failure: (any Error)?
            var full = false
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                do {
                    if let written = try attempt(frame, into: UnsafeMutableRawBufferPointer(buffer)) {
                        count = written
                    } else {
                        full = true
                    }
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            if !full { return output }
            capacity = try grown(capacity, limit: limit)
        }
    }

    /// Decompresses one complete LZ4 frame into memory the caller reuses: `scratch(n)`
    /// returns a region of `n` bytes, asked again with a larger `n` when the output does
    /// not fit. Same checks and errors as ``decompress(_:expectedSize:limit:)``, without
    /// allocating (and faulting in) a fresh output array per batch.
    ///
    /// - Returns: the decompressed bytes, in the last region `scratch` returned.
    static func decompress(
        _ frame: UnsafeRawBufferPointer, expectedSize: Int, limit: Int,
        scratch: (Int) -> UnsafeMutableRawBufferPointer
    ) throws -> UnsafeRawBufferPointer {
        var capacity = firstCapacity(frame, expectedSize: expectedSize, limit: limit)
        while true {
            let output = scratch(capacity)
            if let written = try attempt(frame, into: output) {
                return UnsafeRawBufferPointer(rebasing: output[..<written])
            }
            capacity = try grown(capacity, limit: limit)
        }
    }

    private static func firstCapacity(_ frame: UnsafeRawBufferPointer, expectedSize: Int, limit: Int) -> Int {
        // LZ4 expands at most about 255:1, so a guess beyond that (a hostile record count,
        // say) is capped instead of allocated; the callers still grow to the limit.
        let plausibleSize = min(expectedSize, frame.count * 255)
        return min(limit, max(plausibleSize, frame.count * 4, 1024))
    }

    private static func grown(_ capacity: Int, limit: Int) throws -> Int {
        guard capacity < limit else {
            throw BasaltError.corruptCompressedData(reason: "LZ4 frame decompresses to more than the limit of \(limit) bytes")
        }
        return limit / 4 > capacity ? capacity * 4 : limit
    }

    /// Decompresses `frame` into `output`; returns the bytes written, or nil when the
    /// output filled up before the frame ended.
    private static func attempt(_ frame: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int? {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw BasaltError.corruptCompressedData(reason: "cannot create an LZ4 decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }

        let capacity = output.count
        var inputPosition = 0
        var outputPosition = 0
        while true {
            var outputSize = capacity - outputPosition
            var inputSize = frame.count - inputPosition
            let hint = LZ4F_decompress(
                context, output.baseAddress.map { $0 + outputPosition }, &outputSize,
                frame.baseAddress.map { $0 + inputPosition }, &inputSize, nil)
            if LZ4F_isError(hint) != 0 {
                throw BasaltError.corruptCompressedData(reason: "LZ4: \(String(cString: LZ4F_getErrorName(hint)))")
            }
            inputPosition += inputSize
            outputPosition += outputSize
            if hint == 0 {
                guard inputPosition == frame.count else {
                    throw BasaltError.corruptCompressedData(
                        reason: "LZ4: \(frame.count - inputPosition) bytes after the end of the frame")
                }
                return outputPosition
            }
            if outputPosition == capacity { return nil }
            // LZ4F_decompress does not fail on a truncated frame: it asks for more
            // input. With all input used and room left in the output, that is corruption.
            if inputPosition == frame.count {
                throw BasaltError.corruptCompressedData(reason: "LZ4: frame is truncated")
            }
        }
    }
}
