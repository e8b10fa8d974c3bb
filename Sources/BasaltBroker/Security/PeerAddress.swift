import Glibc

/// The IP address of a connection's peer, in the form ACL hosts are compared in.
///
/// ``ConnectionInfo/peer`` holds SwiftNIO's `SocketAddress` description
/// (`[IPv4]127.0.0.1/127.0.0.1:5432`, `[IPv6]::1:5432`); tests may pass `10.0.0.1:5432` or a bare
/// address. The address is parsed out and normalised through `inet_pton`/`inet_ntop`, so
/// `::ffff:10.0.0.1` (an IPv4 client on an IPv6 socket) is `10.0.0.1`, and `0:0::1` is `::1`,
/// as Java's `InetAddress.getHostAddress` would make them compare equal in Kafka.
enum PeerAddress {
    /// The normalised IP address in `peer`, or nil when it holds none (a Unix socket, `?`).
    static func host(ofPeer peer: String) -> String? {
        var text = Substring(peer)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = text[text.index(after: close)...]
        }
        // `hostname/address:port`: the address is after the slash.
        if let slash = text.lastIndex(of: "/") { text = text[text.index(after: slash)...] }
        if let address = normalized(String(text)) { return address }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var address = text[..<colon]
        if address.hasPrefix("["), address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        return normalized(String(address))
    }

    /// `text` as a normalised IP address, or nil when it is not an IPv4 or IPv6 address.
    static func normalized(_ text: String) -> String? {
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 { return format(family: AF_INET, v4) }
        var v6 = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xff, v6[11] == 0xff {
            return format(family: AF_INET, Array(v6[12..<16]))
        }
        return format(family: AF_INET6, v6)
    }

    /// `inet_ntop` of the address `bytes` (4 for IPv4, 16 for IPv6, network order).
    private static func format(family: Int32, _ bytes: [UInt8]) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
