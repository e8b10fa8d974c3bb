import Synchronization

/// What the broker's listeners need to secure connections: the TLS contexts, the SCRAM
/// credential store, and where each listener is advertised.
public final class BrokerSecurity: Sendable {
    /// The users SASL authenticates.
    public let credentials: ScramCredentialStore
    /// TLS contexts, when any listener (or the inter-broker connection) uses TLS.
    let tls: TLSContextProvider?
    /// Seeds the made-up salts of unknown SCRAM users; random per process.
    let unknownUserKey = ScramPrimitives.randomBytes(32)
    private let advertised = Mutex<[String: HostPort]>([:])

    /// Opens the credential store in `brokerDirectory` and loads the TLS material.
    ///
    /// - Throws: ``BrokerConfigurationError`` for unusable TLS files, ``BrokerStateFileError``
    ///   for a damaged credential store.
    init(configuration: BrokerConfiguration, brokerDirectory: String) throws {
        credentials = try ScramCredentialStore(brokerDirectory: brokerDirectory)
        tls = try configuration.tls.map { settings throws(BrokerConfigurationError) in try TLSContextProvider(settings: settings) }
    }

    /// The address clients of listener `name` are told, once it is bound.
    func advertisedAddress(listener name: String) -> HostPort? {
        advertised.withLock { $0[name] }
    }

    /// Every listener's advertised address, by listener name.
    var advertisedAddresses: [String: HostPort] { advertised.withLock { $0 } }

    func setAdvertisedAddress(_ address: HostPort, listener name: String) {
        advertised.withLock { $0[name] = address }
    }

    /// Re-reads the certificate, key and truststore files; new TLS connections use them.
    ///
    /// - Throws: ``BrokerConfigurationError`` when the files cannot be used; the old
    ///   material stays in use.
    public func reloadCertificates() throws(BrokerConfigurationError) {
        try tls?.reload()
    }
}
