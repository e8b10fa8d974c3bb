/// A live broker, as it registers itself under `brokers/<id>`: where clients and peers
/// reach it.
///
/// `host` and `port` are the inter-broker listener's advertised address (what peers
/// replicate from); `listeners` maps every listener name to its advertised address, so
/// Metadata answers each client with the addresses of the listener it connected to, as
/// Kafka does. Records written before listeners existed have no `listeners`.
struct BrokerRecord: Codable, Equatable, Sendable {
    /// One advertised address.
    struct Address: Codable, Equatable, Sendable {
        var host: String
        var port: Int
    }

    var host: String
    var port: Int
    var listeners: [String: Address]?

    /// The most listeners a record may name.
    static let maxListeners = 64

    init(host: String, port: Int, listeners: [String: Address]? = nil) {
        self.host = host
        self.port = port
        self.listeners = listeners
    }

    /// The address clients of listener `name` use: that listener's, or the registered
    /// address when the broker does not name it (an older broker, or a listener only
    /// some brokers have).
    func address(listener name: String) -> Address {
        listeners?[name] ?? Address(host: host, port: port)
    }

    func validate(key: String) throws(ClusterRecordError) {
        guard !host.isEmpty, host.utf8.count <= 255, (1...65535).contains(port) else {
            throw .malformed(key: key, reason: "host \(host.utf8Prefix(maxBytes: 64)) port \(port) is not an address")
        }
        guard let listeners else { return }
        guard listeners.count <= Self.maxListeners else {
            throw .malformed(key: key, reason: "\(listeners.count) listeners, at most \(Self.maxListeners)")
        }
        for (name, address) in listeners {
            guard !name.isEmpty, name.utf8.count <= 255, !address.host.isEmpty, address.host.utf8.count <= 255,
                  (1...65535).contains(address.port) else {
                throw .malformed(key: key, reason: "listener \(name.utf8Prefix(maxBytes: 64)) is not an address")
            }
        }
    }
}
