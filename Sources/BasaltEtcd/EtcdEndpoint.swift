/// One etcd client URL, `http://HOST:PORT`.
///
/// Only plain HTTP is supported: the client is meant for etcd on a trusted network or loopback.
public struct EtcdEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// Host name or IP address (IPv6 without brackets).
    public let host: String
    /// TCP port.
    public let port: Int

    /// Creates an endpoint from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://HOST:PORT` (a trailing `/` is accepted; IPv6 hosts in brackets).
    ///
    /// - Throws: ``EtcdError/invalidEndpoint(_:reason:)`` for any other form.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace()
        let scheme = "http://"
        guard trimmed.hasPrefix(scheme) else {
            throw EtcdError.invalidEndpoint(text, reason: "must start with http:// (https is not supported)")
        }
        var rest = Substring(trimmed.dropFirst(scheme.count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw EtcdError.invalidEndpoint(text, reason: "unterminated IPv6 address")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let afterHost = rest[rest.index(after: close)...]
            guard afterHost.hasPrefix(":") else {
                throw EtcdError.invalidEndpoint(text, reason: "missing :PORT")
            }
            portText = afterHost.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw EtcdError.invalidEndpoint(text, reason: "missing :PORT")
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains("/") else {
            throw EtcdError.invalidEndpoint(text, reason: "missing or invalid host")
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw EtcdError.invalidEndpoint(text, reason: "port must be a number in 1...65535")
        }
        self.init(host: String(host), port: port)
    }

    /// Parses a comma-separated list, `http://HOST:PORT[,http://HOST:PORT…]`, as etcd's own tools accept it.
    ///
    /// - Throws: ``EtcdError/invalidEndpoint(_:reason:)`` for an empty list or any bad entry.
    public static func list(parsing text: String) throws -> [EtcdEndpoint] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: true)
        guard !parts.isEmpty else {
            throw EtcdError.invalidEndpoint(text, reason: "no endpoints given")
        }
        return try parts.map { try EtcdEndpoint(parsing: String($0)) }
    }

    /// `http://HOST:PORT`, as used in error messages.
    public var description: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
