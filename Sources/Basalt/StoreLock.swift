import Glibc

/// The advisory lock that keeps a second process from opening the same store.
///
/// `flock(LOCK_EX | LOCK_NB)` on `<store>/.lock`, held for as long as this object lives.
/// The kernel drops the lock when the process dies, `kill -9` included, so a crash never
/// leaves a store locked. The file holds the owner's process id for error messages.
final class StoreLock: Sendable {
    static let fileName = ".lock"
    private let file: StorageFile

    init(directory: String, io: any FileIO) throws {
        let path = directory + "/" + Self.fileName
        let file = try StorageFile(path: path, flags: O_RDWR | O_CREAT, io: io)
        guard flock(file.descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { throw BasaltError.storeLocked(path: directory) }
            throw BasaltError.io(operation: "flock", path: path, errno: errno)
        }
        let pid = Array("\(getpid())\n".utf8)
        try file.truncate(to: 0)
        try pid.withUnsafeBytes { try file.write($0, at: 0) }
        self.file = file
    }

    /// Releases the lock before the object goes away (on close).
    func release() {
        flock(file.descriptor, LOCK_UN)
    }

    /// Whether another process holds the lock of the store at `directory` right now.
    static func isHeld(directory: String) -> Bool {
        let descriptor = open(directory + "/" + fileName, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
