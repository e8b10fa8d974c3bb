/// The output of a streaming decompressor: one array that starts at a guess and grows
/// ×4 until the stream ends, but never past a hard limit.
///
/// gzip and zstd streams do not have to say how large they decompress, and a hostile
/// batch of a few KiB can expand to gigabytes. Starting from a guess keeps the common case
/// to one allocation; growing by copying what was written into a larger array lets the
/// decompressor, whose state lives in its own context, carry on where it stopped. The
/// largest array is one byte past the limit, so a stream that still writes that byte is
/// known to be over the limit without decoding further.
enum BoundedOutput {
    /// Why a decoding step returned.
    enum Progress {
        /// The stream ended and everything it holds was written.
        case finished
        /// Every byte of the buffer is written and the stream has more.
        case outputFull
    }

    /// Calls `step` until it reports the end of the stream, moving the output to a larger
    /// array each time it reports a full buffer.
    ///
    /// - Parameters:
    ///   - codec: names the format in the error message.
    ///   - firstGuess: capacity of the first array; clamped to at least 64 bytes, so the
    ///     buffer is never empty, and to at most one byte past `limit`.
    ///   - limit: the most bytes the output may hold.
    ///   - step: decodes into the buffer from `written` on and advances `written`. The
    ///     buffer is the whole array; its first `written` bytes already hold output.
    /// - Returns: the output, `written` bytes.
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` when the output would pass
    ///   `limit`, and whatever `step` throws.
    static func collect(
        codec: String, firstGuess: Int, limit: Int,
        _ step: (UnsafeMutableRawBufferPointer, inout Int) throws -> Progress
    ) throws -> [UInt8] {
        precondition(limit >= 0, "a negative output limit")
        let hardCapacity = limit == Int.max ? limit : limit + 1
        var capacity = min(hardCapacity, max(firstGuess, 64))
        var output: [UInt8] = []
        var written = 0
        while true {
            var progress = Progress.outputFull
            output = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                let target = UnsafeMutableRawBufferPointer(buffer)
                if written > 0 {
                    output.withUnsafeBytes { previous in
                        target.copyMemory(from: UnsafeRawBufferPointer(rebasing: previous[..<written]))
                    }
                }
                // Set before `step` runs, so a throw leaves a count that covers only
                // initialised bytes; `step` only ever raises `written`.
                count = written
                progress = try step(target, &written)
                precondition(written <= capacity, "a decoding step wrote past its buffer")
                count = written
            }
            if written > limit {
                throw BasaltError.corruptCompressedData(
                    reason: "\(codec) decompresses to more than the limit of \(limit) bytes")
            }
            switch progress {
            case .finished:
                return output
            case .outputFull:
                precondition(written == capacity, "a decoding step stopped with room left in its buffer")
                // capacity ≤ limit here, so there is room to grow toward hardCapacity.
                capacity = capacity > hardCapacity / 4 ? hardCapacity : capacity * 4
            }
        }
    }
}
