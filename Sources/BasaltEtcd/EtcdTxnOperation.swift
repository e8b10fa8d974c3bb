/// One operation of a transaction branch (`RequestOp` in etcd's API).
public enum EtcdTxnOperation: Equatable, Sendable {
    /// Reads one key.
    case get(key: String)
    /// Reads every key that starts with `prefix`.
    case getPrefix(String)
    /// Writes a key, attached to `leaseID` when it is not 0.
    case put(key: String, value: [UInt8], leaseID: Int64)
    /// Deletes one key.
    case delete(key: String)
    /// Deletes every key that starts with `prefix`.
    case deletePrefix(String)

    var wire: EtcdWire.RequestOp {
        switch self {
        case .get(let key):
            return .init(request_range: .init(key: EtcdWire.base64(key)))
        case .getPrefix(let prefix):
            return .init(request_range: .init(key: EtcdWire.base64(prefix), range_end: EtcdWire.prefixRangeEnd(prefix)))
        case .put(let key, let value, let leaseID):
            return .init(request_put: .init(
                key: EtcdWire.base64(key), value: EtcdWire.base64(value), lease: leaseID == 0 ? nil : .init(leaseID)))
        case .delete(let key):
            return .init(request_delete_range: .init(key: EtcdWire.base64(key)))
        case .deletePrefix(let prefix):
            return .init(request_delete_range: .init(
                key: EtcdWire.base64(prefix), range_end: EtcdWire.prefixRangeEnd(prefix)))
        }
    }
}
