/// SASL on the broker's SASL listeners, and as a client towards peer brokers.
///
/// | setting | meaning |
/// |---|---|
/// | `sasl.enabled.mechanisms` | mechanisms SASL listeners offer (default `SCRAM-SHA-256,SCRAM-SHA-512,PLAIN`) |
/// | `sasl.mechanism.inter.broker.protocol` | mechanism this broker uses towards peers (default `SCRAM-SHA-512`) |
/// | `basalt.inter.broker.sasl.username` | user this broker authenticates as towards peers |
/// | `basalt.inter.broker.sasl.password.file` | file whose first line is that user's password |
/// | `connection.failed.authentication.delay.ms` | delay before a failed authentication is answered (default 100) |
/// | `sasl.server.max.receive.size` | largest frame before authentication (default 524288) |
///
/// Users and their SCRAM credentials live in the credential store (``ScramCredentialStore``),
/// managed with `basalt-broker scram-credential` or AlterUserScramCredentials.
public struct SaslSettings: Sendable, Equatable {
    /// Mechanisms SASL listeners accept.
    public var enabledMechanisms: [SaslMechanism] = [.scramSha256, .scramSha512, .plain]
    /// Mechanism for inter-broker connections.
    public var interBrokerMechanism: SaslMechanism = .scramSha512
    /// User for inter-broker connections; needed when the inter-broker listener uses SASL.
    public var interBrokerUsername: String?
    /// File holding the inter-broker user's password (first line).
    public var interBrokerPasswordFile: String?
    /// How long a failed authentication waits before its answer (Kafka's default 100 ms):
    /// it slows password guessing down without holding an event loop.
    public var failedAuthenticationDelayMs: Int = 100
    /// The largest frame a connection may send before it authenticates (Kafka's
    /// `sasl.server.max.receive.size`, 512 KiB): SASL tokens are small, and an
    /// unauthenticated peer must not make the broker buffer `socket.request.max.bytes`.
    public var maxReceiveBytes: Int = 524_288

    /// The defaults above.
    public init() {}
}
