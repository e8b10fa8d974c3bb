/// How a listener protects its connections, with Kafka's names (`security.protocol`).
public enum SecurityProtocol: String, Sendable, CaseIterable {
    /// No encryption, no authentication: every connection is `User:ANONYMOUS`.
    case plaintext = "PLAINTEXT"
    /// TLS; with `ssl.client.auth` the principal is the client certificate's subject.
    case ssl = "SSL"
    /// SASL authentication on a plain TCP connection.
    case saslPlaintext = "SASL_PLAINTEXT"
    /// SASL authentication inside TLS.
    case saslSSL = "SASL_SSL"

    /// Whether connections are wrapped in TLS.
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }

    /// Whether a connection must authenticate with SASL before anything but ApiVersions.
    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
}
