import Basalt
import Glibc

/// Why a command could not run. Each case prints as one line that names the path.
public enum InspectError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not exist.
    case notFound(path: String)
    /// The path (or a directory on the way) cannot be read or written by this user.
    case permissionDenied(path: String)
    /// A command that takes a file was given something else (a directory, a device).
    case notARegularFile(path: String)
    /// A command that takes a directory was given something else.
    case notADirectory(path: String)
    /// A file this command does not handle; `reason` says which ones it does.
    case unsupportedFile(path: String, reason: String)
    /// A system call failed on `path`.
    case io(path: String, operation: String, errno: Int32)
    /// A running process holds the lock of the store at `path` (`pid` from the lock file).
    case storeLocked(path: String, pid: Int32?)
    /// `repair` was pointed at a directory written by Apache Kafka; `marker` is the file
    /// that gave it away.
    case kafkaDirectory(path: String, marker: String)
    /// An option value is out of range.
    case invalidArgument(String)
    /// Another failure while working on `path`, described by `reason`.
    case failed(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file or directory"
        case .permissionDenied(let path): "\(path): permission denied"
        case .notARegularFile(let path): "\(path): not a regular file"
        case .notADirectory(let path): "\(path): not a directory"
        case .unsupportedFile(let path, let reason): "\(path): \(reason)"
        case .io(let path, let operation, let code): "\(path): \(operation) failed: \(Self.errnoText(code))"
        case .storeLocked(let path, let pid):
            "\(path): the store is locked by a running process\(pid.map { " (pid \($0))" } ?? ""); stop it first"
        case .kafkaDirectory(let path, let marker):
            "\(path): written by Apache Kafka (found \(marker)); repair applies Basalt's recovery rules, pass --allow-kafka to go ahead anyway"
        case .invalidArgument(let message): message
        case .failed(let path, let reason): "\(path): \(reason)"
        }
    }

    /// The error for a failed system call on `path`: specific cases for `ENOENT` and
    /// `EACCES`, ``io(path:operation:errno:)`` otherwise.
    static func from(errno code: Int32, path: String, operation: String) -> InspectError {
        switch code {
        case ENOENT: .notFound(path: path)
        case EACCES, EPERM: .permissionDenied(path: path)
        case ENOTDIR: .notADirectory(path: path)
        case EISDIR: .notARegularFile(path: path)
        default: .io(path: path, operation: operation, errno: code)
        }
    }

    /// Maps a storage-core error met while reading `path`.
    static func from(_ error: any Error, path: String) -> InspectError {
        if let error = error as? InspectError { return error }
        if let error = error as? BasaltError {
            switch error {
            case .io(let operation, let failedPath, let code):
                return from(errno: code, path: failedPath, operation: operation)
            case .storeLocked(let lockedPath):
                return .storeLocked(path: lockedPath, pid: Store.lockOwner(directory: lockedPath))
            default:
                return .failed(path: path, reason: error.description)
            }
        }
        return .failed(path: path, reason: String(describing: error))
    }

    static func errnoText(_ code: Int32) -> String {
        guard code != 0 else { return "error" }
        guard let message = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: message)) (errno \(code))"
    }
}
