/// The SASL mechanisms the broker verifies, with their IANA names.
public enum SaslMechanism: String, Sendable, CaseIterable, Codable {
    /// RFC 4616: user name and password in one token. Verified against the user's SCRAM
    /// credential (the salted password is recomputed), so no password is stored; send it
    /// only inside TLS.
    case plain = "PLAIN"
    /// RFC 5802/7677 SCRAM with SHA-256.
    case scramSha256 = "SCRAM-SHA-256"
    /// SCRAM with SHA-512.
    case scramSha512 = "SCRAM-SHA-512"

    /// The hash of a SCRAM mechanism; nil for PLAIN.
    var scramHash: ScramHash? {
        switch self {
        case .plain: nil
        case .scramSha256: .sha256
        case .scramSha512: .sha512
        }
    }
}
