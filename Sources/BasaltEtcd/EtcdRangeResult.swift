/// The keys a read returned, with the store revision the read saw.
public struct EtcdRangeResult: Equatable, Sendable {
    /// Matching keys in key order.
    public var keyValues: [EtcdKeyValue]
    /// The store's revision when the read was served: watch from `revision + 1` to see every later change.
    public var revision: Int64

    /// Creates a result.
    public init(keyValues: [EtcdKeyValue], revision: Int64) {
        self.keyValues = keyValues
        self.revision = revision
    }

    init(wire: EtcdWire.RangeResponse, endpoint: EtcdEndpoint, operation: String) throws {
        self.init(
            keyValues: try (wire.kvs ?? []).map { try EtcdKeyValue(wire: $0, endpoint: endpoint, operation: operation) },
            revision: wire.header?.revision?.value ?? 0)
    }
}
