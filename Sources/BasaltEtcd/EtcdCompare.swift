/// One condition of a transaction (`Compare` in etcd's API): a field of a key against a given value.
///
/// A key that does not exist has create revision, mod revision, version and lease all 0, so
/// `.createRevision(of: key, .equal, 0)` means "the key is absent".
public struct EtcdCompare: Equatable, Sendable {
    /// How the key's field relates to the given value.
    public enum Result: String, Equatable, Sendable {
        /// The field equals the value.
        case equal = "EQUAL"
        /// The field differs from the value.
        case notEqual = "NOT_EQUAL"
        /// The field is greater than the value.
        case greater = "GREATER"
        /// The field is less than the value.
        case less = "LESS"
    }

    /// Which field of the key is compared, and the value it is compared with.
    public enum Target: Equatable, Sendable {
        /// Number of changes since creation (0 = absent).
        case version(Int64)
        /// Revision that created the key (0 = absent).
        case createRevision(Int64)
        /// Revision of the last change.
        case modRevision(Int64)
        /// The value's bytes.
        case value([UInt8])
        /// The lease ID the key is attached to (0 = none).
        case lease(Int64)
    }

    /// The key compared.
    public var key: String
    /// The relation required.
    public var result: Result
    /// The field and the value it is compared with.
    public var target: Target

    /// Creates a comparison.
    public init(key: String, result: Result, target: Target) {
        self.key = key
        self.result = result
        self.target = target
    }

    /// The key's create revision compared with `revision` (0 = the key does not exist).
    public static func createRevision(of key: String, _ result: Result, _ revision: Int64) -> EtcdCompare {
        EtcdCompare(key: key, result: result, target: .createRevision(revision))
    }

    /// The key's last-modified revision compared with `revision`.
    public static func modRevision(of key: String, _ result: Result, _ revision: Int64) -> EtcdCompare {
        EtcdCompare(key: key, result: result, target: .modRevision(revision))
    }

    /// The key's version compared with `version`.
    public static func version(of key: String, _ result: Result, _ version: Int64) -> EtcdCompare {
        EtcdCompare(key: key, result: result, target: .version(version))
    }

    /// The key's value compared with `value`.
    public static func value(of key: String, _ result: Result, _ value: [UInt8]) -> EtcdCompare {
        EtcdCompare(key: key, result: result, target: .value(value))
    }

    /// The key's lease compared with `leaseID` (0 = no lease).
    public static func lease(of key: String, _ result: Result, _ leaseID: Int64) -> EtcdCompare {
        EtcdCompare(key: key, result: result, target: .lease(leaseID))
    }

    var wire: EtcdWire.Compare {
        var compare = EtcdWire.Compare(key: EtcdWire.base64(key), target: "", result: result.rawValue)
        switch target {
        case .version(let version):
            compare.target = "VERSION"
            compare.version = .init(version)
        case .createRevision(let revision):
            compare.target = "CREATE"
            compare.create_revision = .init(revision)
        case .modRevision(let revision):
            compare.target = "MOD"
            compare.mod_revision = .init(revision)
        case .value(let value):
            compare.target = "VALUE"
            compare.value = EtcdWire.base64(value)
        case .lease(let leaseID):
            compare.target = "LEASE"
            compare.lease = .init(leaseID)
        }
        return compare
    }
}
