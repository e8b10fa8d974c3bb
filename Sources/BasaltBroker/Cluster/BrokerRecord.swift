/// A live broker, as it registers itself under `brokers/<id>`: where clients and peers
/// reach it.
struct BrokerRecord: Codable, Equatable, Sendable {
    var host: String
    var port: Int

    func validate(key: String) throws(ClusterRecordError) {
        guard !host.isEmpty, host.utf8.count <= 255, (1...65535).contains(port) else {
            throw .malformed(key: key, reason: "host \(host.utf8Prefix(maxBytes: 64)) port \(port) is not an address")
        }
    }
}
