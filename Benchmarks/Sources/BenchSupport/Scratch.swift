import Glibc

/// Directories for files the benchmarks write, on the same file system as the checkout.
///
/// Defaults to `Benchmarks/.scratch` (found from this file's path at build time), so
/// figures describe the disk the store would live on, not a tmpfs. Set
/// `BASALT_BENCH_SCRATCH` to put them elsewhere.
public enum Scratch {
    /// The root all benchmark directories go under.
    public static var root: String {
        if let override = getenv("BASALT_BENCH_SCRATCH").map({ String(cString: $0) }), !override.isEmpty {
            return override
        }
        // #filePath is …/Benchmarks/Sources/BenchSupport/Scratch.swift.
        let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(3).joined(separator: "/") + "/.scratch"
    }

    /// Creates a fresh, empty directory named after `name` and this process.
    public static func makeDirectory(_ name: String) throws -> String {
        let root = root
        try makeDirectoryIfAbsent(root)
        let path = "\(root)/\(name)-\(getpid())"
        try removeTree(path)
        try makeDirectoryIfAbsent(path)
        return path
    }

    private static func makeDirectoryIfAbsent(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw SystemCallError(operation: "mkdir", path: path, errno: errno)
        }
    }

    /// Deletes `path` and everything under it; nothing happens when it is absent.
    public static func removeTree(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw SystemCallError(operation: "lstat", path: path, errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard let directory = opendir(path) else { throw SystemCallError(operation: "opendir", path: path, errno: errno) }
            var children: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { children.append(name) }
            }
            closedir(directory)
            for child in children { try removeTree(path + "/" + child) }
            guard rmdir(path) == 0 else { throw SystemCallError(operation: "rmdir", path: path, errno: errno) }
        } else {
            guard unlink(path) == 0 else { throw SystemCallError(operation: "unlink", path: path, errno: errno) }
        }
    }

    /// Names of the regular files in `directory` ending in `suffix`, sorted.
    public static func files(in directory: String, suffix: String) throws -> [String] {
        guard let handle = opendir(directory) else { throw SystemCallError(operation: "opendir", path: directory, errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(suffix) { names.append(directory + "/" + name) }
        }
        return names.sorted()
    }
}

/// A failed system call in the harness (scratch files, raw reference I/O).
public struct SystemCallError: Error, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}
