import Glibc

/// Byte-level file surgery for hand-made corrupt fixtures.
enum FileBytes {
    static func size(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : -1
    }

    static func exists(_ path: String) -> Bool { size(path) >= 0 }

    static func read(_ path: String) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        precondition(descriptor >= 0, "cannot open \(path)")
        defer { close(descriptor) }
        let count = Int(size(path))
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { _ = pread(descriptor, $0.baseAddress, count, 0) }
        return bytes
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(descriptor >= 0, "cannot create \(path)")
        bytes.withUnsafeBytes { _ = Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    static func write(_ path: String, text: String) { write(path, Array(text.utf8)) }

    static func overwrite(_ path: String, at position: Int64, with bytes: [UInt8]) {
        let descriptor = open(path, O_WRONLY)
        precondition(descriptor >= 0, "cannot open \(path)")
        bytes.withUnsafeBytes { _ = pwrite(descriptor, $0.baseAddress, $0.count, off_t(position)) }
        close(descriptor)
    }

    static func append(_ path: String, _ bytes: [UInt8]) {
        overwrite(path, at: size(path), with: bytes)
    }

    static func truncate(_ path: String, to length: Int64) {
        precondition(Glibc.truncate(path, off_t(length)) == 0, "cannot truncate \(path)")
    }

    static func remove(_ path: String) {
        precondition(unlink(path) == 0, "cannot remove \(path)")
    }

    static func move(_ from: String, _ to: String) {
        precondition(rename(from, to) == 0, "cannot rename \(from)")
    }

    static func makeDirectory(_ path: String) {
        precondition(mkdir(path, 0o755) == 0, "cannot mkdir \(path)")
    }

    static func entries(_ path: String) -> [String] {
        guard let handle = opendir(path) else { return [] }
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

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Every file and directory under `path`, as "relative/path size", sorted: what a
    /// dry run must leave as it was.
    static func tree(_ path: String, prefix: String = "") -> [String] {
        entries(path).flatMap { name -> [String] in
            let child = path + "/" + name
            let line = prefix + name + " " + (isDirectory(child) ? "dir" : "\(size(child))")
            return [line] + (isDirectory(child) ? tree(child, prefix: prefix + name + "/") : [])
        }
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
