/// The text framing Kafka uses for its small checkpoint files
/// (`leader-epoch-checkpoint`, `replication-offset-checkpoint`): line 1 the format
/// version, line 2 the number of entries, then one entry per line, fields separated by
/// one space, every line ending in `\n`.
///
/// Parsing is strict and never traps, whatever the bytes: each field must be decimal
/// digits (an optional leading `-` where the caller allows negatives) that fit an
/// `Int64`, the count must match the lines that follow, and nothing may follow them.
/// Errors name the file and the 1-based line.
enum CheckpointText {
    /// Most bytes a checkpoint file may have; a longer one is damage, not a checkpoint.
    static let maxFileBytes = 1 << 20

    /// The text of a checkpoint with `version` and these entries.
    static func render(version: Int, entries: [[Int64]]) -> [UInt8] {
        var text = "\(version)\n\(entries.count)\n"
        for entry in entries { text += entry.map(String.init).joined(separator: " ") + "\n" }
        return Array(text.utf8)
    }

    /// The entries of `bytes`, each with `fieldsPerEntry` numbers.
    ///
    /// - Throws: ``ReplicationError/corruptCheckpoint(file:line:reason:)``.
    static func parse(_ bytes: [UInt8], file: String, version: Int, fieldsPerEntry: Int) throws -> [[Int64]] {
        guard bytes.count <= maxFileBytes else {
            throw ReplicationError.corruptCheckpoint(file: file, line: 0, reason: "longer than \(maxFileBytes) bytes")
        }
        guard bytes.last == UInt8(ascii: "\n") else {
            throw ReplicationError.corruptCheckpoint(file: file, line: 0, reason: "does not end with a newline")
        }
        // Dropping the final newline first makes an empty line anywhere an error.
        let lines = bytes.dropLast().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count >= 2 else {
            throw ReplicationError.corruptCheckpoint(file: file, line: lines.count + 1, reason: "missing version or entry count")
        }
        guard let foundVersion = number(lines[0]), foundVersion == Int64(version) else {
            throw ReplicationError.corruptCheckpoint(file: file, line: 1, reason: "version is not \(version)")
        }
        guard let count = number(lines[1]), count >= 0 else {
            throw ReplicationError.corruptCheckpoint(file: file, line: 2, reason: "entry count is not a number ≥ 0")
        }
        guard count == Int64(lines.count - 2) else {
            throw ReplicationError.corruptCheckpoint(
                file: file, line: 2, reason: "entry count \(count), but \(lines.count - 2) entry lines follow")
        }
        var entries: [[Int64]] = []
        entries.reserveCapacity(lines.count - 2)
        for (index, line) in lines.dropFirst(2).enumerated() {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            let values = fields.compactMap(number)
            guard fields.count == fieldsPerEntry, values.count == fieldsPerEntry else {
                throw ReplicationError.corruptCheckpoint(
                    file: file, line: index + 3, reason: "expected \(fieldsPerEntry) numbers separated by one space")
            }
            entries.append(values)
        }
        return entries
    }

    /// The decimal number in `field`: digits with an optional leading `-` that fit an
    /// `Int64`; nil otherwise.
    private static func number(_ field: ArraySlice<UInt8>) -> Int64? {
        var digits = field[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 19,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var value: Int64 = 0
        for digit in digits {
            let (product, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = product.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflowMultiply, !overflowAdd else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
