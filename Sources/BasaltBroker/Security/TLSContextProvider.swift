import Logging
import NIOSSL
import Synchronization

/// The TLS contexts of a broker, built from ``TLSSettings`` and rebuilt by ``reload()``
/// (SIGHUP), so a renewed certificate is served to new connections without a restart.
/// Connections already open keep the certificate they started with.
///
/// A reload that fails (a half-written file, a key that does not match) keeps the contexts
/// in use and throws, so a mistake during renewal never takes TLS down.
final class TLSContextProvider: Sendable {
    let settings: TLSSettings
    private let contexts: Mutex<(server: NIOSSLContext, client: NIOSSLContext)>

    /// Loads the certificate chain, key and truststore.
    ///
    /// - Throws: ``BrokerConfigurationError`` naming the file that cannot be used.
    init(settings: TLSSettings) throws(BrokerConfigurationError) {
        self.settings = settings
        contexts = Mutex(try Self.load(settings))
    }

    /// The context for accepted connections.
    var server: NIOSSLContext { contexts.withLock { $0.server } }

    /// The context for connections to peer brokers: the broker's certificate as the
    /// client certificate, the truststore (or the system roots) to check the peer.
    var client: NIOSSLContext { contexts.withLock { $0.client } }

    /// Re-reads the files; on success new connections use the new material.
    func reload() throws(BrokerConfigurationError) {
        let fresh = try Self.load(settings)
        contexts.withLock { $0 = fresh }
    }

    private static func load(_ settings: TLSSettings) throws(BrokerConfigurationError)
        -> (server: NIOSSLContext, client: NIOSSLContext) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(settings.keystorePath)
        } catch {
            throw .invalid("ssl.keystore.location \(settings.keystorePath): no PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else { throw .invalid("ssl.keystore.location \(settings.keystorePath): no certificate") }
        let keyPath = settings.keyPath ?? settings.keystorePath
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw .invalid("ssl.key.location \(keyPath): no PEM private key (\(error))")
        }
        var trust: NIOSSLTrustRoots = .default
        if let truststore = settings.truststorePath {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(truststore)
                guard !roots.isEmpty else { throw BrokerConfigurationError.invalid("no certificate") }
                trust = .certificates(roots)
            } catch {
                throw .invalid("ssl.truststore.location \(truststore): no PEM certificates (\(error))")
            }
        }
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        server.minimumTLSVersion = .tlsv12
        server.trustRoots = trust
        switch settings.clientAuth {
        case .required: server.certificateVerification = .noHostnameVerification
        case .requested: server.certificateVerification = .optionalVerification
        case .none: server.certificateVerification = .none
        }
        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        client.trustRoots = trust
        client.certificateChain = chain.map { .certificate($0) }
        client.privateKey = .privateKey(key)
        // Peers are reached at the address they registered, which their certificate may
        // name as an IP or a host; the chain is still verified against the truststore.
        client.certificateVerification = .noHostnameVerification
        do {
            return (try NIOSSLContext(configuration: server), try NIOSSLContext(configuration: client))
        } catch {
            throw .invalid("TLS: the certificate chain and key cannot be used together (\(error))")
        }
    }
}
