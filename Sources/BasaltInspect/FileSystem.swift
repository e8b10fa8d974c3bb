import Basalt
import Glibc

/// The few file-system calls the tool makes outside the storage core, each failing
/// with an ``InspectError`` that names the path.
enum FileSystem {
    /// What `lstat` says about a path.
    struct Info: Equatable {
        enum Kind: Equatable { case regular, directory, symbolicLink, other }
        var kind: Kind
        var size: Int64
    }

    /// `stat` (following symbolic links): nil when the path does not exist.
    static func info(_ path: String) throws(InspectError) -> Info? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw InspectError.from(errno: errno, path: path, operation: "stat")
        }
        let kind: Info.Kind = switch status.st_mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFLNK: .symbolicLink
        default: .other
        }
        return Info(kind: kind, size: Int64(status.st_size))
    }

    /// Like ``info(_:)`` but a missing path is an error.
    static func existing(_ path: String) throws(InspectError) -> Info {
        guard let info = try info(path) else { throw InspectError.notFound(path: path) }
        return info
    }

    /// Names in a directory, without `.` and `..`, sorted.
    static func entries(_ path: String) throws(InspectError) -> [String] {
        guard let handle = opendir(path) else { throw InspectError.from(errno: errno, path: path, operation: "opendir") }
        defer { closedir(handle) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 { throw InspectError.from(errno: errno, path: path, operation: "readdir") }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Checks that this process may read (and, with `write`, change) `path`.
    static func checkAccess(_ path: String, write: Bool = false) throws(InspectError) {
        let mode = write ? R_OK | W_OK | X_OK : R_OK
        guard access(path, mode) == 0 else { throw InspectError.from(errno: errno, path: path, operation: "access") }
    }

    /// Opens `path` for reading after checking it is a regular file.
    static func openRegularFile(_ path: String) throws(InspectError) -> StorageFile {
        let info = try existing(path)
        guard info.kind == .regular else { throw InspectError.notARegularFile(path: path) }
        do {
            return try StorageFile(readingFrom: path)
        } catch {
            throw InspectError.from(error, path: path)
        }
    }

    /// `mkdir`, failing when the directory exists.
    static func makeDirectory(_ path: String) throws(InspectError) {
        guard mkdir(path, 0o755) == 0 else { throw InspectError.from(errno: errno, path: path, operation: "mkdir") }
    }

    /// `rename`, refusing to replace an existing target.
    static func move(_ source: String, to target: String) throws(InspectError) {
        guard try info(target) == nil else {
            throw InspectError.io(path: target, operation: "rename (target exists)", errno: EEXIST)
        }
        guard rename(source, target) == 0 else { throw InspectError.from(errno: errno, path: source, operation: "rename") }
    }

    /// Copies bytes `[start, end of file)` of `source` into a new file `target`, a
    /// megabyte at a time, and syncs it.
    static func copyTail(of source: String, from start: Int64, to target: String) throws(InspectError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw InspectError.from(errno: errno, path: source, operation: "open") }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw InspectError.from(errno: errno, path: target, operation: "open") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var position = start
        var written: Int64 = 0
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, $0.count, off_t(position)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw InspectError.from(errno: errno, path: source, operation: "read")
            }
            if got == 0 { break }
            var done = 0
            while done < got {
                let put = buffer.withUnsafeBytes { pwrite(output, $0.baseAddress! + done, got - done, off_t(written)) }
                if put < 0 {
                    if errno == EINTR { continue }
                    throw InspectError.from(errno: errno, path: target, operation: "write")
                }
                done += put
                written += Int64(put)
            }
            position += Int64(got)
        }
        guard fsync(output) == 0 else { throw InspectError.from(errno: errno, path: target, operation: "fsync") }
    }

    /// Cuts `path` to `length` bytes and syncs it.
    static func truncate(_ path: String, to length: Int64) throws(InspectError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InspectError.from(errno: errno, path: path, operation: "open") }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw InspectError.from(errno: errno, path: path, operation: "ftruncate")
        }
        guard fsync(descriptor) == 0 else { throw InspectError.from(errno: errno, path: path, operation: "fsync") }
    }

    /// `fsync` on a directory, so renames in it are durable.
    static func syncDirectory(_ path: String) throws(InspectError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InspectError.from(errno: errno, path: path, operation: "open") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw InspectError.from(errno: errno, path: path, operation: "fsync") }
    }

    /// The last component of `path`.
    static func baseName(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// Everything before the last component of `path` (`.` for a bare name).
    static func parent(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let parent = String(trimmed[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// `path` without trailing slashes (`/` stays `/`).
    static func trimmingTrailingSlashes(_ path: String) -> String {
        var result = path
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
