import Foundation

/// The server side of one SCRAM authentication (RFC 5802 §3, 7677), two round trips:
///
/// ```
/// client-first   n,[a=authzid],n=user,r=cnonce[,ext…]
/// server-first   r=cnonce+snonce,s=base64(salt),i=iterations
/// client-final   c=base64(gs2-header),r=cnonce+snonce,p=base64(ClientProof)
/// server-final   v=base64(ServerSignature)
/// ```
///
/// The proof is checked as RFC 5802 says: ClientKey = ClientProof XOR
/// HMAC(StoredKey, AuthMessage), then H(ClientKey) == StoredKey in constant time. An
/// unknown user gets a made-up salt (stable per user for the process's life) and fails
/// only at the proof, so the answers do not tell which users exist. Channel binding and
/// delegation tokens (`tokenauth`) are not supported and fail the exchange.
struct ScramServerExchange {
    /// What a token leads to.
    enum Step: Equatable {
        /// Send `token` and wait for the next one.
        case challenge([UInt8])
        /// Authenticated as `user`; send `token` (server-final) and the exchange is over.
        case success(user: String, token: [UInt8])
        /// Authentication failed; `reason` is for the log and names no secret.
        case failure(reason: String)
    }

    private enum State {
        case awaitingClientFirst
        case awaitingClientFinal(user: String, credential: ScramCredential, known: Bool, gs2Header: String,
                                 clientFirstBare: String, serverFirst: String, clientNonce: String, nonce: String)
        case finished
    }

    /// The longest SCRAM message accepted; real ones are under 300 bytes.
    static let maxTokenBytes = 4096

    let hash: ScramHash
    private let store: ScramCredentialStore
    private let unknownUserKey: [UInt8]
    private var state = State.awaitingClientFirst

    /// An exchange for `hash` against `store`. `unknownUserKey` seeds the made-up salts of
    /// unknown users (one random key per broker process).
    init(hash: ScramHash, store: ScramCredentialStore, unknownUserKey: [UInt8]) {
        self.hash = hash
        self.store = store
        self.unknownUserKey = unknownUserKey
    }

    /// Takes the client's next token.
    mutating func receive(_ token: [UInt8]) -> Step {
        guard token.count <= Self.maxTokenBytes else {
            state = .finished
            return .failure(reason: "SCRAM message of \(token.count) bytes")
        }
        guard let text = String(validating: token, as: UTF8.self) else {
            state = .finished
            return .failure(reason: "SCRAM message is not UTF-8")
        }
        switch state {
        case .awaitingClientFirst:
            return clientFirst(text)
        case .awaitingClientFinal(let user, let credential, let known, let gs2Header, let clientFirstBare, let serverFirst,
                                  let clientNonce, let nonce):
            state = .finished
            return clientFinal(text, user: user, credential: credential, known: known, gs2Header: gs2Header,
                               clientFirstBare: clientFirstBare, serverFirst: serverFirst, clientNonce: clientNonce, nonce: nonce)
        case .finished:
            return .failure(reason: "SCRAM message after the exchange ended")
        }
    }

    private mutating func clientFirst(_ text: String) -> Step {
        state = .finished
        // gs2-header: cbind flag, authzid, then the bare message.
        let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(reason: "malformed client-first message") }
        guard parts[0] == "n" || parts[0] == "y" else {
            return .failure(reason: "channel binding is not supported")
        }
        var authzid: String?
        if !parts[1].isEmpty {
            guard parts[1].hasPrefix("a="), let decoded = Self.decodeName(parts[1].dropFirst(2)) else {
                return .failure(reason: "malformed authzid")
            }
            authzid = decoded
        }
        let bare = String(parts[2])
        let fields = bare.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 2, fields[0].hasPrefix("n="), fields[1].hasPrefix("r="),
              let user = Self.decodeName(fields[0].dropFirst(2)), Self.isValidNonce(fields[1].dropFirst(2)) else {
            return .failure(reason: "malformed client-first message")
        }
        for extensionField in fields.dropFirst(2) {
            // RFC 5802 extensions are `name=value`; Kafka's one is `tokenauth=true`.
            guard let equals = extensionField.firstIndex(of: "="), equals != extensionField.startIndex else {
                return .failure(reason: "malformed client-first extension")
            }
            if extensionField[..<equals] == "tokenauth" { return .failure(reason: "delegation tokens are not supported") }
        }
        if let problem = ScramCredentialStore.validate(user: user) { return .failure(reason: problem) }
        if let authzid, authzid != user {
            return .failure(reason: "authzid differs from the user name")
        }
        let stored = store.credential(user: user, hash: hash)
        let credential = stored ?? unknownUserCredential(user)
        let clientNonce = String(fields[1].dropFirst(2))
        let nonce = clientNonce + Data(ScramPrimitives.randomBytes(24)).base64EncodedString()
        let serverFirst = "r=\(nonce),s=\(Data(credential.salt).base64EncodedString()),i=\(credential.iterations)"
        state = .awaitingClientFinal(user: user, credential: credential, known: stored != nil,
                                     gs2Header: "\(parts[0]),\(parts[1]),", clientFirstBare: bare,
                                     serverFirst: serverFirst, clientNonce: clientNonce, nonce: nonce)
        return .challenge(Array(serverFirst.utf8))
    }

    private func clientFinal(_ text: String, user: String, credential: ScramCredential, known: Bool, gs2Header: String,
                             clientFirstBare: String, serverFirst: String, clientNonce: String, nonce: String) -> Step {
        guard let proofStart = text.range(of: ",p=", options: .backwards) else {
            return .failure(reason: "client-final message without proof")
        }
        let withoutProof = String(text[..<proofStart.lowerBound])
        let fields = withoutProof.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 2, fields[0].hasPrefix("c="), fields[1].hasPrefix("r="),
              let proof = Data(base64Encoded: String(text[proofStart.upperBound...])) else {
            return .failure(reason: "malformed client-final message")
        }
        guard let binding = Data(base64Encoded: String(fields[0].dropFirst(2))),
              binding == Data(gs2Header.utf8) else {
            return .failure(reason: "channel binding differs from the client-first gs2 header")
        }
        // librdkafka before 2.6.1 sends its own nonce again in front of the combined one
        // (librdkafka #4895); Kafka accepts that since 3.8.1, and so does Basalt (kcat on
        // Debian 12 links librdkafka 2.0.2). The proof still covers the message as sent.
        let echoed = fields[1].dropFirst(2)
        guard echoed == nonce || echoed == clientNonce + nonce else { return .failure(reason: "nonce mismatch") }
        guard proof.count == hash.digestBytes else { return .failure(reason: "proof of \(proof.count) bytes") }
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = ScramPrimitives.hmac(hash, key: credential.storedKey, authMessage)
        let clientKey = ScramPrimitives.xor(Array(proof), clientSignature)
        let matches = ScramPrimitives.constantTimeEqual(ScramPrimitives.hash(hash, clientKey), credential.storedKey)
        guard matches, known else { return .failure(reason: "invalid credentials") }
        let serverSignature = ScramPrimitives.hmac(hash, key: credential.serverKey, authMessage)
        return .success(user: user, token: Array("v=\(Data(serverSignature).base64EncodedString())".utf8))
    }

    /// A credential no password matches, with a salt that is the same for `user` on every
    /// attempt (a fresh one each time would tell unknown users apart).
    private func unknownUserCredential(_ user: String) -> ScramCredential {
        let salt = ScramPrimitives.hmac(hash, key: unknownUserKey, Array(user.utf8))
        let storedKey = ScramPrimitives.hmac(hash, key: unknownUserKey, salt)
        return ScramCredential(hash: hash, salt: salt, iterations: 4096, storedKey: storedKey, serverKey: storedKey)
    }

    /// RFC 5802 `saslname`: `=2C` is a comma, `=3D` an equals sign, any other `=` is invalid.
    static func decodeName(_ text: Substring) -> String? {
        var result = ""
        var rest = text[...]
        while let equals = rest.firstIndex(of: "=") {
            result += rest[..<equals]
            let code = rest[equals...].prefix(3)
            switch code {
            case "=2C": result += ","
            case "=3D": result += "="
            default: return nil
            }
            rest = rest[rest.index(equals, offsetBy: 3)...]
        }
        result += rest
        return result.isEmpty ? nil : result
    }

    /// RFC 5802 `nonce`: printable ASCII except the comma.
    private static func isValidNonce(_ nonce: Substring) -> Bool {
        !nonce.isEmpty && nonce.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: ",") }
    }
}
