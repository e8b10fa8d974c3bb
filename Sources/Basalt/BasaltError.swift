/// Every failure the storage core reports.
///
/// Cases carry the context an operator needs to act: the file and byte position of
/// corruption, the limit that was exceeded, the system call and `errno` that failed.
public enum BasaltError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A batch failed validation. `reason` says which check failed.
    case invalidBatch(reason: String)
    /// A batch's stored CRC-32C does not match its bytes.
    case crcMismatch(stored: UInt32, computed: UInt32)
    /// A batch names a codec number Kafka does not define (5–7 in attributes bits 0–2).
    /// `codec` says which.
    case unsupportedCompression(codec: String)
    /// Compressed records could not be decompressed.
    case corruptCompressedData(reason: String)
    /// A batch or record is larger than the configured limit.
    case messageTooLarge(bytes: Int, limit: Int)
    /// Data on disk is damaged in a place recovery must not truncate silently: a
    /// segment, or one of the store's small files (a topic description, cursor file,
    /// partition checkpoint, or a broker's state file) that is larger than its limit or
    /// does not parse. `position` is the byte where the damage was seen (0 when the file
    /// as a whole does not parse).
    case corruptLog(file: String, position: Int64, reason: String)
    /// An index file is damaged; it is rebuilt from the log when the partition opens.
    case corruptIndex(file: String, reason: String)
    /// A system call failed. `errno` is the raw value (28 is `ENOSPC`, 5 is `EIO`).
    case io(operation: String, path: String, errno: Int32)
    /// A read asked for an offset outside `[logStartOffset, logEndOffset]`.
    case offsetOutOfRange(offset: Int64, logStartOffset: Int64, logEndOffset: Int64)
    /// A topic or group name breaks the naming rules.
    case invalidName(name: String, reason: String)
    /// The topic does not exist.
    case unknownTopic(String)
    /// The topic already exists.
    case topicExists(String)
    /// The partition number is outside the topic's partition range.
    case unknownPartition(topic: String, partition: Int32)
    /// Another process holds the store's lock file.
    case storeLocked(path: String)
    /// A configuration value is outside its allowed range.
    case invalidConfiguration(String)
    /// The log or store was closed; reopen it to continue.
    case closed
    /// An earlier `fdatasync` failed, so the state of unflushed pages is unknown. The
    /// log rolled back to its last durable offset; the failed appends were not kept.
    case flushFailed(path: String, errno: Int32)
    /// A message of a legacy message set (magic 0 or 1) is structurally damaged: a size
    /// that is negative, too small or past the bytes sent, or a key or value length that
    /// does not fit. `reason` says which and where.
    case corruptMessage(reason: String)

    /// A one-line message that names the file, position, limit or call involved.
    public var description: String {
        switch self {
        case .invalidBatch(let reason): "invalid record batch: \(reason)"
        case .crcMismatch(let stored, let computed):
            "record batch CRC mismatch: stored \(hex(stored)), computed \(hex(computed))"
        case .unsupportedCompression(let codec): "unsupported compression codec \(codec)"
        case .corruptCompressedData(let reason): "corrupt compressed records: \(reason)"
        case .messageTooLarge(let bytes, let limit): "message of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .corruptLog(let file, let position, let reason): "corrupt log \(file) at byte \(position): \(reason)"
        case .corruptIndex(let file, let reason): "corrupt index \(file): \(reason)"
        case .io(let operation, let path, let code): "\(operation) failed on \(path): \(errnoName(code))"
        case .offsetOutOfRange(let offset, let start, let end):
            "offset \(offset) is outside the log's range [\(start), \(end)]"
        case .invalidName(let name, let reason): "invalid name \"\(name)\": \(reason)"
        case .unknownTopic(let name): "unknown topic \(name)"
        case .topicExists(let name): "topic \(name) already exists"
        case .unknownPartition(let topic, let partition): "topic \(topic) has no partition \(partition)"
        case .storeLocked(let path): "store \(path) is locked by another process"
        case .invalidConfiguration(let message): "invalid configuration: \(message)"
        case .closed: "the log is closed"
        case .flushFailed(let path, let code): "fdatasync failed on \(path): \(errnoName(code)); unflushed appends were rolled back"
        case .corruptMessage(let reason): "corrupt message: \(reason)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

import Glibc

func errnoName(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: message)) (errno \(code))"
}
