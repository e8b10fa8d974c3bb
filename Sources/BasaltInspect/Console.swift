import Glibc

/// Where a command writes: its report on standard output, notes and the progress bar on
/// standard error. The tool writes to the process's descriptors; tests capture both
/// streams in memory.
///
/// Not thread-safe: a command runs on one thread.
public final class Console {
    private enum Sink {
        case descriptor(Int32)
        case memory
    }

    private let outputSink: Sink
    private let errorSink: Sink
    private var outputBuffer: [UInt8] = []
    private var errorBuffer: [UInt8] = []
    /// Whether a progress bar may be drawn on standard error: true when it is a terminal.
    public let showsProgress: Bool

    private init(output: Sink, error: Sink, showsProgress: Bool) {
        self.outputSink = output
        self.errorSink = error
        self.showsProgress = showsProgress
    }

    /// The process's standard output and error. Progress is shown when standard error
    /// is a terminal.
    public static func standard() -> Console {
        Console(output: .descriptor(STDOUT_FILENO), error: .descriptor(STDERR_FILENO),
                showsProgress: isatty(STDERR_FILENO) == 1)
    }

    /// A console that keeps everything in memory, for tests.
    public static func capturing(showsProgress: Bool = false) -> Console {
        Console(output: .memory, error: .memory, showsProgress: showsProgress)
    }

    /// What was written to standard output, for a capturing console (flushed output
    /// for the standard one is gone).
    public var capturedOutput: String { String(decoding: outputBuffer, as: UTF8.self) }
    /// What was written to standard error, for a capturing console.
    public var capturedError: String { String(decoding: errorBuffer, as: UTF8.self) }

    /// Writes `text` and a newline to standard output.
    public func line(_ text: String) {
        outputBuffer.append(contentsOf: text.utf8)
        outputBuffer.append(UInt8(ascii: "\n"))
        if case .descriptor(let descriptor) = outputSink, outputBuffer.count >= 1 << 16 {
            Self.writeAll(descriptor, &outputBuffer)
        }
    }

    /// Writes `text` and a newline to standard error, after flushing standard output so
    /// the two interleave in order on a terminal.
    public func note(_ text: String) {
        flush()
        errorBuffer.append(contentsOf: text.utf8)
        errorBuffer.append(UInt8(ascii: "\n"))
        if case .descriptor(let descriptor) = errorSink { Self.writeAll(descriptor, &errorBuffer) }
    }

    /// Writes `text` to standard error as is (the progress bar redraws with `\r`).
    func progress(_ text: String) {
        guard showsProgress else { return }
        flush()
        errorBuffer.append(contentsOf: text.utf8)
        if case .descriptor(let descriptor) = errorSink { Self.writeAll(descriptor, &errorBuffer) }
    }

    /// Sends buffered standard output to its descriptor.
    public func flush() {
        if case .descriptor(let descriptor) = outputSink { Self.writeAll(descriptor, &outputBuffer) }
    }

    deinit { flush() }

    private static func writeAll(_ descriptor: Int32, _ buffer: inout [UInt8]) {
        var done = 0
        buffer.withUnsafeBytes { raw in
            while done < raw.count {
                let written = write(descriptor, raw.baseAddress.map { $0 + done }, raw.count - done)
                if written < 0 && errno == EINTR { continue }
                // A closed pipe (`| head`) or a full disk: the rest cannot be shown.
                if written <= 0 { break }
                done += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
