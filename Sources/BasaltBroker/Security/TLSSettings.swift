/// The broker's TLS material, with Kafka's PEM setting names (KIP-651), as files so they
/// can be replaced on disk and reloaded (SIGHUP) without a restart.
///
/// | setting | meaning |
/// |---|---|
/// | `ssl.keystore.type` | `PEM` (the only type supported) |
/// | `ssl.keystore.location` | PEM file: the certificate chain, leaf first, and (unless `ssl.key.location` is set) the private key |
/// | `ssl.key.location` | PEM file with the private key (Basalt's; Kafka keeps it in the keystore file) |
/// | `ssl.truststore.type` | `PEM` |
/// | `ssl.truststore.location` | PEM file of the CA certificates client (and peer broker) certificates must chain to |
/// | `ssl.client.auth` | `required`, `requested` or `none` (default) |
/// | `basalt.ssl.reload.check.interval.ms` | how often the files are checked for changes and reloaded (default 5000; 0 off) |
///
/// TLS 1.2 is the lowest version offered. The same certificate and key serve as the
/// client certificate when this broker connects to a peer over a TLS inter-broker listener.
public struct TLSSettings: Sendable, Equatable {
    /// PEM file with the certificate chain (leaf first), and the key unless ``keyPath`` is set.
    public var keystorePath: String
    /// PEM file with the private key; the keystore file when nil.
    public var keyPath: String?
    /// PEM file of trusted CA certificates for client certificates and peer brokers.
    public var truststorePath: String?
    /// Whether clients are asked for certificates.
    public var clientAuth: TLSClientAuth = .none
    /// How often the files are checked for changes and reloaded (as SIGHUP does); 0 never.
    public var reloadCheckIntervalMs: Int = 5000

    /// TLS with the chain (and key) in `keystorePath`.
    public init(keystorePath: String, keyPath: String? = nil, truststorePath: String? = nil, clientAuth: TLSClientAuth = .none) {
        self.keystorePath = keystorePath
        self.keyPath = keyPath
        self.truststorePath = truststorePath
        self.clientAuth = clientAuth
    }
}
