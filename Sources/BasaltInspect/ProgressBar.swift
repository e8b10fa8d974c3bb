import Glibc

/// A one-line progress bar on standard error for long scans, redrawn at most ten times a
/// second and erased at the end. Drawn only when standard error is a terminal and the
/// scan is large; otherwise every call does nothing.
final class ProgressBar {
    private let console: Console
    private let totalBytes: Int64
    private let label: String
    private let enabled: Bool
    private var finishedFilesBytes: Int64 = 0
    private var currentFileBytes: Int64 = 0
    private let startNanoseconds: UInt64
    private var lastDrawNanoseconds: UInt64 = 0
    private var drawn = false

    /// Scans smaller than this finish too fast for a bar to help.
    static let defaultThresholdBytes: Int64 = 64 << 20

    init(console: Console, totalBytes: Int64, label: String, thresholdBytes: Int64 = ProgressBar.defaultThresholdBytes) {
        self.console = console
        self.totalBytes = totalBytes
        self.label = label
        self.enabled = console.showsProgress && totalBytes >= thresholdBytes
        self.startNanoseconds = Self.now()
    }

    /// A new file starts.
    func startFile() { currentFileBytes = 0 }

    /// `bytes` of the current file are done.
    func update(fileBytes bytes: Int64) {
        currentFileBytes = bytes
        draw(force: false)
    }

    /// The current file is done; it had `bytes`.
    func finishFile(bytes: Int64) {
        finishedFilesBytes += bytes
        currentFileBytes = 0
        draw(force: false)
    }

    /// Erases the bar.
    func finish() {
        guard enabled, drawn else { return }
        console.progress("\r" + String(repeating: " ", count: 78) + "\r")
        drawn = false
    }

    private func draw(force: Bool) {
        guard enabled else { return }
        let now = Self.now()
        guard force || now - lastDrawNanoseconds >= 100_000_000 else { return }
        lastDrawNanoseconds = now
        let done = min(finishedFilesBytes + currentFileBytes, totalBytes)
        let fraction = totalBytes > 0 ? Double(done) / Double(totalBytes) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let seconds = Double(now - startNanoseconds) / 1e9
        let percent = HumanReadable.decimal(fraction * 100, places: 0)
        let text = "\(label) [\(bar)] \(percent)% \(HumanReadable.bytes(done))/\(HumanReadable.bytes(totalBytes)) \(HumanReadable.rate(bytes: done, seconds: seconds))"
        console.progress("\r" + text.padding(to: 78))
        drawn = true
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

private extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
