import Glibc

/// A fresh directory under /tmp, removed with its contents when the value is dropped.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "basalt-inspect") {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed: \(errno)")
        path = String(cString: created!)
    }

    deinit { _ = system("chmod -R u+rwx '\(path)' 2>/dev/null; rm -rf '\(path)'") }

    func child(_ name: String) -> String { path + "/" + name }
}
