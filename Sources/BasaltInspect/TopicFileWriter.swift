import Basalt
// Foundation for JSONEncoder only: the description's settings are `LogConfig`'s own
// Codable encoding, so the tool does not spell its fields out a second time.
import Foundation
import Glibc

/// Writes a topic description, `topics/<name>.json`, for `repair` when the one on disk
/// cannot be read: the layout `Store.createTopic` writes (`version`, `name`,
/// `partitions`, `config`), then reads it back with the store's own reader.
enum TopicFileWriter {
    private struct Contents: Encodable {
        var version = 1
        var name: String
        var partitions: Int32
        var config: LogConfig
    }

    /// Writes the description of `topic` with `partitions` partitions and `config` to
    /// `path` in the store at `store`, atomically (a temporary file, synced, renamed over
    /// `path`, then the directory synced).
    ///
    /// - Throws: ``InspectError`` when it cannot be written, or when the store's reader
    ///   does not read back what was written.
    static func write(_ path: String, store: String, topic: String, partitions: Int32, config: LogConfig) throws(InspectError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(Contents(name: topic, partitions: partitions, config: config)))
        } catch {
            throw InspectError.failed(path: path, reason: "cannot encode the topic description: \(error)")
        }
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw InspectError.from(errno: errno, path: temporary, operation: "open") }
        var written = 0
        while written < bytes.count {
            let put = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if put < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                throw InspectError.from(errno: code, path: temporary, operation: "write")
            }
            written += put
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            throw InspectError.from(errno: code, path: temporary, operation: "fsync")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw InspectError.from(errno: errno, path: temporary, operation: "rename") }
        try FileSystem.syncDirectory(FileSystem.parent(path))

        // Read it back as the store will when it opens.
        let catalog: FileCatalog<TopicDescription>
        do {
            catalog = try Store.topicDescriptions(directory: store)
        } catch {
            throw InspectError.from(error, path: path)
        }
        guard catalog.items.contains(where: { $0.file == path && $0.name == topic && $0.partitions == partitions }) else {
            throw InspectError.failed(path: path, reason: "the store does not read back the topic description just written")
        }
    }
}
