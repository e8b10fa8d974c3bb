import Glibc

/// A fresh directory under /tmp, removed with its contents when the value is dropped.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "basalt") {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed: \(errno)")
        path = String(cString: created!)
    }

    deinit { _ = system("rm -rf '\(path)'") }

    func child(_ name: String) -> String { path + "/" + name }
}

func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : -1
}

func overwrite(_ path: String, at position: Int64, with bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY)
    precondition(descriptor >= 0)
    bytes.withUnsafeBytes { _ = pwrite(descriptor, $0.baseAddress, $0.count, off_t(position)) }
    close(descriptor)
}

func truncateFile(_ path: String, to length: Int64) {
    precondition(truncate(path, off_t(length)) == 0)
}

func readFile(_ path: String) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    precondition(descriptor >= 0)
    defer { close(descriptor) }
    let size = Int(fileSize(path))
    var bytes = [UInt8](repeating: 0, count: size)
    bytes.withUnsafeMutableBytes { _ = pread(descriptor, $0.baseAddress, size, 0) }
    return bytes
}
