extension BrokerMetrics {
    /// A SASL authentication that succeeded (`basalt_sasl_authentications_total{mechanism,result="success"}`).
    func recordAuthenticationSuccess(mechanism: SaslMechanism) {
        counter("basalt_sasl_authentications_total", [("mechanism", mechanism.rawValue), ("result", "success")]).increment()
    }

    /// A SASL authentication that failed (wrong password, unknown user, malformed token).
    func recordAuthenticationFailure(mechanism: SaslMechanism?) {
        counter("basalt_sasl_authentications_total",
                [("mechanism", mechanism?.rawValue ?? "none"), ("result", "failure")]).increment()
    }

    /// A connection closed for sending a request before authenticating on a SASL listener.
    func recordUnauthenticatedRequest() {
        counter("basalt_unauthenticated_requests_total", []).increment()
    }

    /// A TLS handshake that failed (untrusted or expired certificate, plaintext on a TLS port).
    func recordTLSHandshakeFailure() {
        counter("basalt_tls_handshake_failures_total", []).increment()
    }
}
