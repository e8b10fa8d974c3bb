/// Whether a TLS listener asks clients for a certificate (Kafka's `ssl.client.auth`).
public enum TLSClientAuth: String, Sendable {
    /// A client must present a certificate signed by the truststore; the connection's
    /// principal is its subject.
    case required
    /// A client may present one (then it must verify); without one it is `User:ANONYMOUS`.
    case requested
    /// Certificates are not asked for; the principal is `User:ANONYMOUS` (or SASL's).
    case none
}
