import Foundation
import Glibc

/// Read-only access to a store's layout, for tools that inspect or repair a store while
/// it is closed (or read it while it is open) without opening it as a ``Store``.
extension Store {
    /// Name of the lock file in the store directory.
    public static let lockFileName = StoreLock.fileName
    /// Name of the directory of topic descriptions.
    public static let topicsDirectoryName = topicsDirectory
    /// Name of the directory of consumer cursors.
    public static let cursorsDirectoryName = cursorsDirectory

    /// Whether a running process holds the lock of the store at `directory` right now.
    /// False when there is no lock file. Cost: one `open` and one `flock`.
    public static func isLocked(directory: String) -> Bool {
        StoreLock.isHeld(directory: directory)
    }

    /// The process id the lock file of the store at `directory` names: the last process
    /// that opened the store, which holds it still when ``isLocked(directory:)``.
    public static func lockOwner(directory: String) -> Int32? {
        guard let file = try? StorageFile(readingFrom: directory + "/" + lockFileName),
              let bytes = try? file.read(count: 32, at: 0) else { return nil }
        return Int32(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs `body` while holding the lock of the store at `directory`, so no process can
    /// open the store meanwhile: what an offline repair uses.
    ///
    /// - Throws: ``BasaltError/storeLocked(path:)`` when a process has the store open,
    ///   ``BasaltError/io(operation:path:errno:)``, and what `body` throws.
    public static func withExclusiveLock<T>(directory: String, _ body: () throws -> T) throws -> T {
        let lock = try StoreLock(directory: directory, io: SystemFileIO())
        defer { lock.release() }
        return try body()
    }

    /// Reads every topic description of the store at `directory` without opening the
    /// store or changing any file. A description that `Store.init` would refuse is listed
    /// in ``FileCatalog/damaged``.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` when `topics/` cannot be
    ///   listed (it is absent: an empty catalog).
    public static func topicDescriptions(directory: String) throws -> FileCatalog<TopicDescription> {
        try FileCatalog.read(directory: directory + "/" + topicsDirectory, leftoverSuffix: ".json.tmp",
                             maxFileBytes: maxTopicFileBytes, reason: "not a topic description of version 1") { bytes, path in
            TopicFile.decode(bytes).map {
                TopicDescription(name: $0.name, partitions: $0.partitions, config: $0.config, file: path)
            }
        }
    }
}
