import BasaltKafka

extension Broker {
    /// The address clients of listener `name` are told: its advertised address once bound,
    /// else the broker's (inter-broker) advertised address.
    func advertisedAddress(listener name: String) -> HostPort {
        security.advertisedAddress(listener: name) ?? advertisedAddress
    }

    /// SaslHandshake or SaslAuthenticate on a connection that is not in a SASL exchange:
    /// one already authenticated (re-authentication, KIP-368, is not supported, and the
    /// session lifetime sent is 0 so clients do not try) or on a listener without SASL.
    /// Kafka answers ILLEGAL_SASL_STATE.
    func saslAfterAuthentication(_ request: KafkaRequest, header: RequestHeader) -> RequestOutcome {
        switch request {
        case .saslHandshake:
            respond(.saslHandshake(SaslHandshakeResponse(errorCode: .illegalSaslState,
                                                         mechanisms: configuration.sasl.enabledMechanisms.map(\.rawValue))),
                    to: header)
        default:
            respond(.saslAuthenticate(SaslAuthenticateResponse(errorCode: .illegalSaslState,
                                                               errorMessage: "SASL authentication is not expected now")),
                    to: header)
        }
    }
}
