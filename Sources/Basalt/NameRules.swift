/// The naming rules for topics and consumer groups.
public enum NameRules {
    /// Kafka's limit on topic name length.
    public static let maxTopicNameLength = 249
    /// Longest group name; keeps the cursor file name within the file system's limit.
    public static let maxGroupNameLength = 200

    /// Checks a topic name as Kafka does: 1–249 characters from `[a-zA-Z0-9._-]`, and not
    /// `.` or `..`. Throws ``BasaltError/invalidName(name:reason:)``.
    public static func validateTopic(_ name: String) throws {
        guard !name.isEmpty else { throw BasaltError.invalidName(name: name, reason: "a topic name cannot be empty") }
        guard name != "." && name != ".." else { throw BasaltError.invalidName(name: name, reason: "'.' and '..' are not allowed") }
        guard name.utf8.count <= maxTopicNameLength else {
            throw BasaltError.invalidName(name: name, reason: "longer than \(maxTopicNameLength) characters")
        }
        guard name.utf8.allSatisfy(isLegalTopicByte) else {
            throw BasaltError.invalidName(name: name, reason: "only ASCII letters, digits, '.', '_' and '-' are allowed")
        }
    }

    /// Checks a consumer group name: 1–200 bytes of UTF-8, no NUL.
    public static func validateGroup(_ name: String) throws {
        guard !name.isEmpty else { throw BasaltError.invalidName(name: name, reason: "a group name cannot be empty") }
        guard name.utf8.count <= maxGroupNameLength else {
            throw BasaltError.invalidName(name: name, reason: "longer than \(maxGroupNameLength) bytes")
        }
        guard !name.utf8.contains(0) else { throw BasaltError.invalidName(name: name, reason: "contains NUL") }
    }

    static func isLegalTopicByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
