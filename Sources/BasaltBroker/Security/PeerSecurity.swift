import Foundation

/// How this broker connects to its peers: over the inter-broker listener's protocol, with
/// the broker's own certificate as the TLS client certificate and, on SASL listeners, as
/// the configured inter-broker user (Kafka's `sasl.mechanism.inter.broker.protocol`).
struct PeerSecurity: Sendable {
    /// TLS towards peers, when the inter-broker listener uses it.
    var tls: TLSContextProvider?
    /// SASL towards peers, when the inter-broker listener uses it.
    var sasl: (mechanism: SaslMechanism, username: String, password: [UInt8])?

    /// Plain TCP, no authentication.
    init() {}

    /// The security of `configuration`'s inter-broker listener.
    ///
    /// - Throws: ``BrokerConfigurationError`` when the password file cannot be read.
    init(configuration: BrokerConfiguration, tls: TLSContextProvider?) throws(BrokerConfigurationError) {
        let listener = configuration.interBrokerListener
        self.tls = listener.securityProtocol.usesTLS ? tls : nil
        guard listener.securityProtocol.usesSASL else { return }
        let settings = configuration.sasl
        guard let username = settings.interBrokerUsername, let file = settings.interBrokerPasswordFile else {
            throw .invalid("the inter-broker listener uses SASL: set basalt.inter.broker.sasl.username and "
                           + "basalt.inter.broker.sasl.password.file")
        }
        guard let data = FileManager.default.contents(atPath: file), data.count <= 4096,
              let text = String(data: data, encoding: .utf8),
              let password = text.split(separator: "\n", omittingEmptySubsequences: false).first, !password.isEmpty else {
            throw .invalid("basalt.inter.broker.sasl.password.file \(file): cannot read a password from its first line")
        }
        sasl = (settings.interBrokerMechanism, username, Array(password.utf8))
    }
}
