import Glibc

/// Replaces small files so that a crash leaves either the old or the new content.
///
/// Writes a temporary file beside the target (`<path>.tmp`), syncs it, renames it over
/// the target and syncs the directory, all through the ``FileIO`` seam. A leftover
/// `.tmp` file after a crash is ignored and removed by the file's owner.
enum AtomicFile {
    static func replace(_ path: String, with bytes: [UInt8], io: any FileIO) throws {
        let temporary = path + ".tmp"
        do {
            let file = try StorageFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, io: io)
            try bytes.withUnsafeBytes { try file.write($0, at: 0) }
            try file.sync()
        }
        do throws(Errno) {
            try io.rename(temporary, to: path)
        } catch {
            throw BasaltError.io(operation: "rename", path: temporary, errno: error.code)
        }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try Directory.sync(directory.isEmpty ? "/" : directory, io: io)
    }
}
