/// One change seen by a watch.
public struct EtcdWatchEvent: Equatable, Sendable {
    /// Whether the key was written or deleted.
    public enum Kind: Equatable, Sendable {
        /// The key was created or overwritten.
        case put
        /// The key was deleted (explicitly or because its lease ended).
        case delete
    }

    /// Whether the key was written or deleted.
    public var kind: Kind
    /// The key after the change. For a delete only `key` and `modRevision` are set.
    public var keyValue: EtcdKeyValue

    /// The revision of the change (events of one transaction share it).
    public var revision: Int64 { keyValue.modRevision }

    /// Creates an event.
    public init(kind: Kind, keyValue: EtcdKeyValue) {
        self.kind = kind
        self.keyValue = keyValue
    }
}
