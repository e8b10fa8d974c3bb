import Glibc

/// Replaces a small file atomically and durably: write a temporary file, `fsync` it,
/// `rename` it over the old one, `fsync` the directory. After a crash the file is either
/// the old content or the new, never a mix or empty.
enum DurableFile {
    static func write(_ text: String, to path: String) throws(DurableFileError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .failed(operation: "open", path: temporary, errno: errno) }
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw .failed(operation: "write", path: temporary, errno: code)
            }
            done += written
        }
        bytes.removeAll()
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw .failed(operation: "fsync", path: temporary, errno: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw .failed(operation: "rename", path: temporary, errno: errno) }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }
}

/// A system call failed while replacing a broker state file.
enum DurableFileError: Error, CustomStringConvertible {
    case failed(operation: String, path: String, errno: Int32)

    var description: String {
        switch self {
        case .failed(let operation, let path, let code): "\(operation) failed on \(path): errno \(code)"
        }
    }
}
