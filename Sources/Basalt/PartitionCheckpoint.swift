import Glibc

/// The small text file `partition.checkpoint` in each partition directory: where recovery
/// starts, the log start offset, and whether the log was closed cleanly.
///
/// ```
/// basalt-partition-checkpoint 1
/// recovery-point 52341
/// log-start-offset 0
/// clean 1 52377 52341 1048576
/// ```
/// The `clean` line is `clean 0` while the log is open; on clean close it becomes
/// `clean 1 <log end offset> <active segment base offset> <active segment bytes>`, and the
/// next open trusts it without scanning when the active segment still has that size.
/// The file is replaced atomically (write a temporary file, sync, rename, sync the
/// directory), so it is either the old or the new version, never a mix.
struct PartitionCheckpoint: Equatable {
    static let fileName = "partition.checkpoint"
    static let temporaryFileName = "partition.checkpoint.tmp"

    /// Every offset below it is on stable storage.
    var recoveryPoint: Int64
    var logStartOffset: Int64
    /// Present only after a clean close.
    var clean: CleanShutdown?

    struct CleanShutdown: Equatable {
        var logEndOffset: Int64
        var activeBaseOffset: Int64
        var activeBytes: Int64
    }

    var text: String {
        var lines = ["basalt-partition-checkpoint 1", "recovery-point \(recoveryPoint)", "log-start-offset \(logStartOffset)"]
        if let clean {
            lines.append("clean 1 \(clean.logEndOffset) \(clean.activeBaseOffset) \(clean.activeBytes)")
        } else {
            lines.append("clean 0")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses the file's text; nil when it is not a checkpoint this version understands.
    init?(text: String) {
        let lines = text.split(separator: "\n").map { $0.split(separator: " ") }
        guard lines.count == 4, lines[0] == ["basalt-partition-checkpoint", "1"],
              lines[1].count == 2, lines[1][0] == "recovery-point", let recoveryPoint = Int64(lines[1][1]),
              lines[2].count == 2, lines[2][0] == "log-start-offset", let logStartOffset = Int64(lines[2][1]),
              lines[3].first == "clean", recoveryPoint >= 0, logStartOffset >= 0 else { return nil }
        self.recoveryPoint = recoveryPoint
        self.logStartOffset = logStartOffset
        if lines[3] == ["clean", "0"] {
            clean = nil
        } else if lines[3].count == 5, lines[3][1] == "1", let end = Int64(lines[3][2]), let base = Int64(lines[3][3]),
                  let bytes = Int64(lines[3][4]) {
            clean = CleanShutdown(logEndOffset: end, activeBaseOffset: base, activeBytes: bytes)
        } else {
            return nil
        }
    }

    init(recoveryPoint: Int64, logStartOffset: Int64, clean: CleanShutdown?) {
        self.recoveryPoint = recoveryPoint
        self.logStartOffset = logStartOffset
        self.clean = clean
    }

    /// The most a checkpoint file may hold; a well-formed one is under 200 bytes.
    static let maxFileBytes = 4096

    /// Reads the checkpoint in `directory`; nil when there is none, which makes the next
    /// open recover every segment.
    ///
    /// A file that is there but does not parse is an error, not "no checkpoint": the log
    /// start offset it holds may have been raised by retention or DeleteRecords above
    /// the first segment's base, and guessing would make deleted records readable again.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` naming the file when it
    ///   is larger than ``maxFileBytes`` or not a checkpoint this version understands;
    ///   ``BasaltError/io(operation:path:errno:)``.
    static func read(directory: String, io: any FileIO) throws -> PartitionCheckpoint? {
        let path = directory + "/" + fileName
        guard let bytes = try AtomicFile.read(path, maxBytes: maxFileBytes, io: io) else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self), let checkpoint = PartitionCheckpoint(text: text) else {
            throw BasaltError.corruptLog(file: path, position: 0, reason: "not a partition checkpoint of version 1")
        }
        return checkpoint
    }

    /// Replaces the checkpoint in `directory` atomically and durably.
    func write(directory: String, io: any FileIO) throws {
        try AtomicFile.replace(directory + "/" + Self.fileName, with: Array(text.utf8), io: io)
    }
}
