import Glibc

/// Directory operations the store needs, with errors that name the path.
enum Directory {
    /// `fsync` on a directory, so entries created, renamed or removed in it are durable.
    static func sync(_ path: String, io: any FileIO) throws {
        let descriptor: Int32
        do throws(Errno) {
            descriptor = try io.open(path, flags: O_RDONLY | O_DIRECTORY, mode: 0)
        } catch {
            throw BasaltError.io(operation: "open", path: path, errno: error.code)
        }
        defer { io.close(descriptor) }
        do throws(Errno) { try io.fsync(descriptor) } catch {
            throw BasaltError.io(operation: "fsync", path: path, errno: error.code)
        }
    }

    /// Creates `path` (and missing parents) when absent.
    static func create(_ path: String) throws {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw BasaltError.io(operation: "mkdir", path: partial, errno: errno)
            }
        }
    }

    /// Names of the entries in `path`, without `.` and `..`, sorted.
    static func entries(_ path: String) throws -> [String] {
        guard let handle = opendir(path) else { throw BasaltError.io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Whether `path` exists and is a directory.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Removes `path` and everything below it.
    static func removeTree(_ path: String) throws {
        for name in try entries(path) {
            let child = path + "/" + name
            var info = stat()
            guard lstat(child, &info) == 0 else { throw BasaltError.io(operation: "lstat", path: child, errno: errno) }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                try removeTree(child)
            } else if unlink(child) != 0 && errno != ENOENT {
                throw BasaltError.io(operation: "unlink", path: child, errno: errno)
            }
        }
        if rmdir(path) != 0 && errno != ENOENT { throw BasaltError.io(operation: "rmdir", path: path, errno: errno) }
    }
}
