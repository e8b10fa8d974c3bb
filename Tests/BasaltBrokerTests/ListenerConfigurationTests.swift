import Testing
@testable import BasaltBroker

/// Kafka's listener settings, as the properties file and `--listeners` give them.
@Suite struct ListenerConfigurationTests {
    @Test func parsesListenersWithTheirProtocolsAndAdvertisedAddresses() throws {
        var configuration = BrokerConfiguration()
        try BrokerPropertiesFile.apply(text: """
            listeners=PLAINTEXT://:9092,CLIENT://0.0.0.0:9093,REPLICATION://127.0.0.1:9094
            advertised.listeners=CLIENT://kafka.example:19093
            listener.security.protocol.map=CLIENT:SASL_SSL,REPLICATION:ssl
            inter.broker.listener.name=replication
            ssl.keystore.location=/k.pem
            ssl.client.auth=required
            sasl.enabled.mechanisms=SCRAM-SHA-512
            """, to: &configuration)
        #expect(configuration.listeners.map(\.name) == ["PLAINTEXT", "CLIENT", "REPLICATION"])
        #expect(configuration.listeners.map(\.securityProtocol) == [.plaintext, .saslSSL, .ssl])
        #expect(configuration.listeners[1].advertisedHost == "kafka.example")
        #expect(configuration.listeners[1].advertisedPort == 19093)
        #expect(configuration.interBrokerListener.name == "REPLICATION")
        #expect(configuration.tls?.clientAuth == .required)
        #expect(configuration.sasl.enabledMechanisms == [.scramSha512])
        try configuration.validate()
    }

    @Test(arguments: [
        "listeners=CLIENT://127.0.0.1:9092",                                   // no protocol for CLIENT
        "listeners=PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093",     // twice
        "listeners=127.0.0.1:9092",                                            // no name
        "listeners=PLAINTEXT://127.0.0.1:9092\nadvertised.listeners=SSL://h:1", // advertises an unknown listener
        "listeners=PLAINTEXT://127.0.0.1:9092\nlistener.security.protocol.map=X:KERBEROS",
        "ssl.keystore.type=JKS",
        "ssl.enabled.protocols=TLSv1.1",
        "ssl.client.auth=maybe\nssl.keystore.location=/k.pem",
        "sasl.enabled.mechanisms=GSSAPI",
    ])
    func refusesWhatCannotWork(text: String) {
        var configuration = BrokerConfiguration()
        #expect(throws: BrokerConfigurationError.self) { try BrokerPropertiesFile.apply(text: text, to: &configuration) }
    }

    @Test func aTLSListenerNeedsAKeystoreAndTheInterBrokerListenerMustExist() throws {
        var configuration = BrokerConfiguration()
        try BrokerPropertiesFile.apply(text: "listeners=SSL://127.0.0.1:9093", to: &configuration)
        #expect(throws: BrokerConfigurationError.self) { try configuration.validate() }
        configuration = BrokerConfiguration()
        try BrokerPropertiesFile.apply(text: "listeners=PLAINTEXT://127.0.0.1:9093\ninter.broker.listener.name=OTHER",
                                       to: &configuration)
        #expect(throws: BrokerConfigurationError.self) { try configuration.validate() }
    }

    @Test func withoutListenersTheLegacyAddressIsOnePlaintextListener() {
        var configuration = BrokerConfiguration()
        configuration.listenHost = "10.0.0.1"
        configuration.listenPort = 1234
        configuration.advertisedHost = "public"
        #expect(configuration.effectiveListeners == [ListenerConfiguration(
            name: "PLAINTEXT", securityProtocol: .plaintext, host: "10.0.0.1", port: 1234, advertisedHost: "public")])
    }
}
