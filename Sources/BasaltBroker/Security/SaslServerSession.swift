import BasaltKafka
import Logging
import NIOCore
import Synchronization

/// The SASL state of one connection on a SASL listener, until it authenticates (KIP-43,
/// KIP-152): SaslHandshake picks a mechanism, then its tokens arrive in SaslAuthenticate
/// requests (handshake v1) or as raw size-prefixed frames (handshake v0).
///
/// The connection handler routes here only SaslHandshake, SaslAuthenticate and, after a
/// v0 handshake, raw tokens; it closes the connection on anything else but ApiVersions
/// until ``SaslStep/principal`` is set. A failed authentication is answered only after
/// ``SaslSettings/failedAuthenticationDelayMs`` (a sleeping task, never a blocked event
/// loop), logged without the secret, counted, and ends the exchange: the client must
/// reconnect to try again.
final class SaslServerSession: Sendable {
    private enum State {
        case awaitingHandshake
        case awaitingToken(SaslMechanism, raw: Bool)
        case scram(ScramServerExchange, raw: Bool)
        case authenticated
        case failed
    }

    private let settings: SaslSettings
    private let store: ScramCredentialStore
    private let unknownUserKey: [UInt8]
    private let metrics: BrokerMetrics
    private let logger: Logger
    private let peer: String
    private let state = Mutex(State.awaitingHandshake)

    /// The longest PLAIN token accepted (RFC 4616 allows 255 bytes per field).
    static let maxPlainTokenBytes = 2048

    init(settings: SaslSettings, store: ScramCredentialStore, unknownUserKey: [UInt8], metrics: BrokerMetrics,
         logger: Logger, peer: String) {
        self.settings = settings
        self.store = store
        self.unknownUserKey = unknownUserKey
        self.metrics = metrics
        self.logger = logger
        self.peer = peer
    }

    /// Handles one frame of the exchange: a request frame, or a raw token after a v0 handshake.
    func handle(frame: ByteBuffer, raw: Bool) async -> SaslStep {
        if raw {
            return await rawToken(Array(frame.readableBytesView))
        }
        var frame = frame
        let header: RequestHeader
        let request: KafkaRequest
        do {
            (header, request) = try KafkaRequest.decode(frame: &frame)
        } catch {
            return await fail(mechanism: nil, reason: "malformed SASL request: \(error)", answer: nil)
        }
        switch request {
        case .saslHandshake(let body):
            return handshake(body, header: header)
        case .saslAuthenticate(let body):
            return await authenticate(Array(body.authBytes.readableBytesView), header: header)
        default:
            return SaslStep(outcome: .close(reason: "\(header.apiKey) before authentication"))
        }
    }

    private func handshake(_ request: SaslHandshakeRequest, header: RequestHeader) -> SaslStep {
        let names = settings.enabledMechanisms.map(\.rawValue)
        let ready = state.withLock { state -> Bool in
            guard case .awaitingHandshake = state else { return false }
            return true
        }
        guard ready else {
            return respond(.saslHandshake(SaslHandshakeResponse(errorCode: .illegalSaslState, mechanisms: names)), header)
        }
        guard let mechanism = SaslMechanism(rawValue: request.mechanism), settings.enabledMechanisms.contains(mechanism) else {
            logger.info("SASL mechanism not enabled", metadata: [
                "peer": "\(peer)", "mechanism": "\(request.mechanism.utf8Prefix(maxBytes: 64))"])
            return respond(.saslHandshake(SaslHandshakeResponse(errorCode: .unsupportedSaslMechanism, mechanisms: names)),
                           header)
        }
        let raw = header.apiVersion == 0
        state.withLock { state in
            if let hash = mechanism.scramHash {
                state = .scram(ScramServerExchange(hash: hash, store: store, unknownUserKey: unknownUserKey), raw: raw)
            } else {
                state = .awaitingToken(mechanism, raw: raw)
            }
        }
        var step = respond(.saslHandshake(SaslHandshakeResponse(mechanisms: names)), header)
        step.expectsRawToken = raw
        return step
    }

    private enum TokenResult {
        case challenge([UInt8], SaslMechanism)
        case success(String, [UInt8], SaslMechanism)
        case failure(String, SaslMechanism?)
    }

    /// Runs `token` through the current mechanism.
    private func consume(_ token: [UInt8], raw: Bool) -> TokenResult {
        state.withLock { state -> TokenResult in
            switch state {
            case .awaitingToken(let mechanism, let expectedRaw) where expectedRaw == raw:
                state = .failed
                guard case .plain = mechanism else { return .failure("unexpected mechanism state", mechanism) }
                switch verifyPlain(token) {
                case .success(let user):
                    state = .authenticated
                    return .success(user, [], mechanism)
                case .failure(let reason):
                    return .failure(reason, mechanism)
                }
            case .scram(var exchange, let expectedRaw) where expectedRaw == raw:
                let mechanism = exchange.hash.mechanism
                switch exchange.receive(token) {
                case .challenge(let reply):
                    state = .scram(exchange, raw: raw)
                    return .challenge(reply, mechanism)
                case .success(let user, let reply):
                    state = .authenticated
                    return .success(user, reply, mechanism)
                case .failure(let reason):
                    state = .failed
                    return .failure(reason, mechanism)
                }
            default:
                state = .failed
                return .failure("SASL token out of order", nil)
            }
        }
    }

    private func authenticate(_ token: [UInt8], header: RequestHeader) async -> SaslStep {
        switch consume(token, raw: false) {
        case .challenge(let reply, _):
            return respond(.saslAuthenticate(SaslAuthenticateResponse(authBytes: ByteBuffer(bytes: reply))), header)
        case .success(let user, let reply, let mechanism):
            var step = respond(.saslAuthenticate(SaslAuthenticateResponse(authBytes: ByteBuffer(bytes: reply))), header)
            step.principal = succeeded(user: user, mechanism: mechanism)
            return step
        case .failure(let reason, let mechanism):
            let message = "Authentication failed during authentication due to invalid credentials with SASL mechanism "
                + (mechanism?.rawValue ?? "unknown")
            return await fail(mechanism: mechanism, reason: reason, answer: (header, message))
        }
    }

    private func rawToken(_ token: [UInt8]) async -> SaslStep {
        switch consume(token, raw: true) {
        case .challenge(let reply, _):
            var step = SaslStep(outcome: .respond(Self.rawFrame(reply)))
            step.expectsRawToken = true
            return step
        case .success(let user, let reply, let mechanism):
            var step = SaslStep(outcome: .respond(Self.rawFrame(reply)))
            step.principal = succeeded(user: user, mechanism: mechanism)
            return step
        case .failure(let reason, let mechanism):
            return await fail(mechanism: mechanism, reason: reason, answer: nil)
        }
    }

    private func succeeded(user: String, mechanism: SaslMechanism) -> KafkaPrincipal {
        metrics.recordAuthenticationSuccess(mechanism: mechanism)
        let principal = KafkaPrincipal(name: user)
        logger.debug("authenticated", metadata: ["peer": "\(peer)", "principal": "\(principal)", "mechanism": "\(mechanism.rawValue)"])
        return principal
    }

    /// Counts and logs a failure, waits the failed-authentication delay, then answers with
    /// SASL_AUTHENTICATION_FAILED (or closes, when there is no request to answer: a raw
    /// v0 token or an undecodable frame).
    private func fail(mechanism: SaslMechanism?, reason: String, answer: (RequestHeader, String)?) async -> SaslStep {
        state.withLock { $0 = .failed }
        metrics.recordAuthenticationFailure(mechanism: mechanism)
        logger.warning("authentication failed", metadata: [
            "peer": "\(peer)", "mechanism": "\(mechanism?.rawValue ?? "none")", "reason": "\(reason.utf8Prefix(maxBytes: 256))"])
        try? await Task.sleep(for: .milliseconds(settings.failedAuthenticationDelayMs))
        guard let (header, message) = answer else {
            return SaslStep(outcome: .close(reason: "authentication failed"))
        }
        var step = respond(.saslAuthenticate(SaslAuthenticateResponse(errorCode: .saslAuthenticationFailed,
                                                                       errorMessage: message)), header)
        step.failed = true
        return step
    }

    private enum PlainResult {
        case success(String)
        case failure(String)
    }

    /// RFC 4616: `[authzid] NUL authcid NUL passwd`, checked against the user's SCRAM
    /// credential. The password is dropped as soon as it is checked and never logged.
    private func verifyPlain(_ token: [UInt8]) -> PlainResult {
        guard token.count <= Self.maxPlainTokenBytes else { return .failure("PLAIN token of \(token.count) bytes") }
        let fields = token.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let authzid = String(validating: fields[0], as: UTF8.self),
              let user = String(validating: fields[1], as: UTF8.self), !fields[2].isEmpty,
              !fields[2].contains(0) else {
            return .failure("malformed PLAIN token")
        }
        if let problem = ScramCredentialStore.validate(user: user) { return .failure(problem) }
        guard authzid.isEmpty || authzid == user else { return .failure("authzid differs from the user name") }
        let password = Array(fields[2])
        let credentials = store.credentials(user: user)
        guard let credential = credentials.first else {
            // Spend the same work as a known user, so timing does not tell which users exist.
            _ = ScramCredential(hash: .sha256, password: password, salt: unknownUserKey, iterations: 4096)
            return .failure("invalid credentials")
        }
        return credential.matches(password: password) ? .success(user) : .failure("invalid credentials")
    }

    private func respond(_ response: KafkaResponse, _ header: RequestHeader) -> SaslStep {
        var buffer = ByteBufferAllocator().buffer(capacity: 128)
        do {
            try response.encodeFrame(correlationId: header.correlationId, version: header.apiVersion, into: &buffer)
        } catch {
            return SaslStep(outcome: .close(reason: "\(header.apiKey) response not encodable: \(error)"))
        }
        return SaslStep(outcome: .respond(ResponseFrame(bytes: buffer)))
    }

    /// A v0 raw SASL token: int32 size, then the bytes.
    private static func rawFrame(_ token: [UInt8]) -> ResponseFrame {
        var buffer = ByteBufferAllocator().buffer(capacity: token.count + 4)
        buffer.writeInteger(Int32(token.count))
        buffer.writeBytes(token)
        return ResponseFrame(bytes: buffer)
    }
}
