/// What one frame of a SASL exchange leads to, for the connection handler.
struct SaslStep: Sendable {
    /// What to send (or whether to close).
    var outcome: RequestOutcome
    /// Set once the connection has authenticated: whom it acts as from now on.
    var principal: KafkaPrincipal?
    /// Whether the next frame is a raw SASL token (after a v0 handshake), not a request.
    var expectsRawToken = false
    /// Whether authentication failed: the response is the last thing the connection sends.
    var failed = false

    init(outcome: RequestOutcome, principal: KafkaPrincipal? = nil) {
        self.outcome = outcome
        self.principal = principal
    }
}
