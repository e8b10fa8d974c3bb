import Foundation

/// One key as etcd stores it.
public struct EtcdKeyValue: Equatable, Sendable {
    /// The key. Basalt's keys are UTF-8 paths; a key that is not valid UTF-8 is reported as malformed.
    public var key: String
    /// The value's bytes (empty for a delete event).
    public var value: [UInt8]
    /// Revision of the transaction that created the key (0 for a key that does not exist).
    public var createRevision: Int64
    /// Revision of the last change to the key; the value to compare in a compare-and-swap.
    public var modRevision: Int64
    /// Number of changes since the key was created (1 after creation; 0 after deletion).
    public var version: Int64
    /// Lease the key is attached to, or 0 for none.
    public var leaseID: Int64

    /// Creates a key-value record.
    public init(key: String, value: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64, leaseID: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.leaseID = leaseID
    }

    init(wire: EtcdWire.KeyValue, endpoint: EtcdEndpoint, operation: String) throws {
        guard let keyText = wire.key else {
            throw EtcdError.malformedResponse(endpoint: endpoint.description, operation: operation, reason: "key-value without a key")
        }
        let keyBytes = try Self.decodeBase64(keyText, field: "key", endpoint: endpoint, operation: operation)
        guard let key = String(validating: keyBytes, as: UTF8.self) else {
            throw EtcdError.malformedResponse(endpoint: endpoint.description, operation: operation, reason: "key is not UTF-8")
        }
        let value = try wire.value.map { try Self.decodeBase64($0, field: "value", endpoint: endpoint, operation: operation) } ?? []
        self.init(
            key: key, value: value,
            createRevision: wire.create_revision?.value ?? 0,
            modRevision: wire.mod_revision?.value ?? 0,
            version: wire.version?.value ?? 0,
            leaseID: wire.lease?.value ?? 0)
    }

    static func decodeBase64(_ text: String, field: String, endpoint: EtcdEndpoint, operation: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw EtcdError.malformedResponse(endpoint: endpoint.description, operation: operation, reason: "\(field) is not base64")
        }
        return Array(data)
    }
}
