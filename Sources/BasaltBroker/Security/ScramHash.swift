/// The hash a SCRAM mechanism uses; Kafka's `mechanism` numbers in the SCRAM credential APIs.
public enum ScramHash: Int8, Sendable, CaseIterable, Codable {
    /// SHA-256 (SCRAM-SHA-256, KIP-554 mechanism 1).
    case sha256 = 1
    /// SHA-512 (SCRAM-SHA-512, KIP-554 mechanism 2).
    case sha512 = 2

    /// The SASL mechanism that uses this hash.
    public var mechanism: SaslMechanism {
        switch self {
        case .sha256: .scramSha256
        case .sha512: .scramSha512
        }
    }

    /// Digest length in bytes.
    var digestBytes: Int {
        switch self {
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// Kafka's lowest accepted iteration count for this hash (4096 for both).
    static let minIterations = 4096
    /// Kafka's highest accepted iteration count.
    static let maxIterations = 16384
}
