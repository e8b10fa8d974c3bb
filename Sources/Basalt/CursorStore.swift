import Foundation
import Synchronization

/// Durable committed offsets of named consumer groups (cursors).
///
/// Each group has one file, `cursors/<group>.json` (group names percent-encoded), holding
/// all its committed offsets. A commit rewrites the group's file atomically: write a
/// temporary file, `fdatasync`, `rename` over the old one, `fsync` the directory. After
/// `kill -9` or power loss the file is the last commit that returned, never a mix; a
/// commit of several partitions lands all together or not at all. Commits are
/// serialized; each costs a few syncs (about a millisecond on an SSD), which suits the
/// usual commit rate of a consumer (every few seconds or every poll).
public final class CursorStore: Sendable {
    /// The `cursors` directory.
    public let directory: String
    private let io: any FileIO
    private let groups: Mutex<[String: [TopicPartition: CommittedOffset]]>

    struct GroupFile: Codable {
        var version: Int
        var group: String
        var offsets: [Entry]
        struct Entry: Codable {
            var topic: String
            var partition: Int32
            var offset: Int64
            var metadata: String
            /// Absent in files written before it was kept, and when the client sent none.
            var leaderEpoch: Int32?
        }

        init(group: String, offsets: [TopicPartition: CommittedOffset]) {
            self.version = 1
            self.group = group
            self.offsets = offsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map {
                Entry(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value.offset,
                      metadata: $0.value.metadata, leaderEpoch: $0.value.leaderEpoch)
            }
        }

        /// The file's contents, or `nil` when `bytes` are not a cursor file of version 1.
        static func decode(_ bytes: [UInt8]) -> GroupFile? {
            guard let decoded = try? JSONDecoder().decode(GroupFile.self, from: Data(bytes)), decoded.version == 1 else { return nil }
            return decoded
        }

        var committedOffsets: [TopicPartition: CommittedOffset] {
            var result: [TopicPartition: CommittedOffset] = [:]
            for entry in offsets {
                result[TopicPartition(topic: entry.topic, partition: entry.partition)] =
                    CommittedOffset(offset: entry.offset, metadata: entry.metadata, leaderEpoch: entry.leaderEpoch)
            }
            return result
        }
    }

    /// The most one group's file may hold (about 300,000 committed partitions).
    static let maxFileBytes = 64 << 20

    /// Opens (creating if needed) the cursor directory and loads every group.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` naming a group file
    ///   that is larger than 64 MiB or cannot be read as a commit.
    public init(directory: String, io: any FileIO = SystemFileIO()) throws {
        try Directory.create(directory)
        var loaded: [String: [TopicPartition: CommittedOffset]] = [:]
        for name in try Directory.entries(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(".tmp") {
                try Segment.removeIfPresent(path, io: io)
                continue
            }
            guard name.hasSuffix(".json") else { continue }
            // Listed a moment ago, so absent only if removed meanwhile: read as empty.
            let bytes = try AtomicFile.read(path, maxBytes: Self.maxFileBytes, io: io) ?? []
            guard let decoded = GroupFile.decode(bytes) else {
                throw BasaltError.corruptLog(file: path, position: 0, reason: "not a cursor file of version 1")
            }
            loaded[decoded.group] = decoded.committedOffsets
        }
        self.directory = directory
        self.io = io
        self.groups = Mutex(loaded)
    }

    /// Commits `offsets` for `group`, merged with its other committed offsets, durably
    /// and atomically. Returns after the commit is on stable storage.
    public func commit(group: String, offsets: [TopicPartition: CommittedOffset]) throws {
        try NameRules.validateGroup(group)
        try groups.withLock { groups in
            var merged = groups[group] ?? [:]
            merged.merge(offsets) { _, new in new }
            try write(group: group, offsets: merged)
            groups[group] = merged
        }
    }

    /// The committed offset of `group` for one partition, if any.
    public func committed(group: String, _ topicPartition: TopicPartition) -> CommittedOffset? {
        groups.withLock { $0[group]?[topicPartition] }
    }

    /// Every committed offset of `group`.
    public func committedOffsets(group: String) -> [TopicPartition: CommittedOffset] {
        groups.withLock { $0[group] ?? [:] }
    }

    /// Names of the groups with commits.
    public var groupNames: [String] { groups.withLock { $0.keys.sorted() } }

    /// Removes a group's commits.
    public func deleteGroup(_ group: String) throws {
        try groups.withLock { groups in
            try Segment.removeIfPresent(path(for: group), io: io)
            try Directory.sync(directory, io: io)
            groups[group] = nil
        }
    }

    /// Removes the commits of `partitions` from `group`, durably and atomically (the
    /// group's file is rewritten, or removed when nothing is left). Partitions without a
    /// commit are ignored.
    public func deleteOffsets(group: String, partitions: [TopicPartition]) throws {
        try groups.withLock { groups in
            guard var offsets = groups[group] else { return }
            for partition in partitions { offsets[partition] = nil }
            guard offsets.count != groups[group]?.count else { return }
            if offsets.isEmpty {
                try Segment.removeIfPresent(path(for: group), io: io)
                try Directory.sync(directory, io: io)
                groups[group] = nil
            } else {
                try write(group: group, offsets: offsets)
                groups[group] = offsets
            }
        }
    }

    /// Drops every group's commits for `topic` (the topic was deleted).
    func forgetTopic(_ topic: String) throws {
        try groups.withLock { groups in
            for (group, offsets) in groups where offsets.keys.contains(where: { $0.topic == topic }) {
                let kept = offsets.filter { $0.key.topic != topic }
                try write(group: group, offsets: kept)
                groups[group] = kept
            }
        }
    }

    private func path(for group: String) -> String {
        directory + "/" + Self.fileStem(group) + ".json"
    }

    /// Percent-encodes every byte outside `[A-Za-z0-9._-]`, so any group name is a safe
    /// file name.
    static func fileStem(_ group: String) -> String {
        var stem = ""
        for byte in group.utf8 {
            if NameRules.isLegalTopicByte(byte) && !(stem.isEmpty && byte == UInt8(ascii: ".")) {
                stem.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                stem += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return stem
    }

    private func write(group: String, offsets: [TopicPartition: CommittedOffset]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(GroupFile(group: group, offsets: offsets)))
        } catch {
            throw BasaltError.invalidName(name: group, reason: "cannot be encoded: \(error)")
        }
        try AtomicFile.replace(path(for: group), with: bytes, io: io)
    }
}
