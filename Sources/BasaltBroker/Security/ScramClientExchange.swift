import Foundation

/// The client side of SCRAM (RFC 5802), for this broker authenticating to a peer:
/// ``clientFirst``, then ``clientFinal(serverFirst:)``, then ``verify(serverFinal:)``,
/// which checks the server's signature, so a peer that does not know the credential is
/// not trusted either.
struct ScramClientExchange {
    let hash: ScramHash
    private let username: String
    private let password: [UInt8]
    private let clientNonce: String
    private var authMessage: [UInt8] = []
    private var saltedPassword: [UInt8] = []

    /// The greatest iteration count accepted from a peer (a hostile peer could ask for
    /// billions to burn this broker's CPU).
    static let maxIterations = 65536

    init(hash: ScramHash, username: String, password: [UInt8]) {
        self.hash = hash
        self.username = username
        self.password = password
        clientNonce = Data(ScramPrimitives.randomBytes(24)).base64EncodedString()
    }

    private var clientFirstBare: String {
        let escaped = username.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        return "n=\(escaped),r=\(clientNonce)"
    }

    /// `n,,n=user,r=nonce`.
    var clientFirst: [UInt8] { Array("n,,\(clientFirstBare)".utf8) }

    /// The client-final message for `serverFirst`, or nil when it is malformed, its nonce
    /// does not extend ours, or it asks for an iteration count out of range.
    mutating func clientFinal(serverFirst token: [UInt8]) -> [UInt8]? {
        guard token.count <= ScramServerExchange.maxTokenBytes, let serverFirst = String(validating: token, as: UTF8.self) else {
            return nil
        }
        var fields: [Character: String] = [:]
        for field in serverFirst.split(separator: ",") {
            guard let key = field.first, field.dropFirst().first == "=" else { return nil }
            fields[key] = String(field.dropFirst(2))
        }
        guard fields["m"] == nil, let nonce = fields["r"], nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count,
              let saltText = fields["s"], let salt = Data(base64Encoded: saltText), !salt.isEmpty,
              let iterationsText = fields["i"], let iterations = Int(iterationsText),
              (ScramHash.minIterations...Self.maxIterations).contains(iterations) else {
            return nil
        }
        let withoutProof = "c=biws,r=\(nonce)"
        authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        saltedPassword = ScramPrimitives.saltedPassword(hash, password: password, salt: Array(salt), iterations: iterations)
        let clientKey = ScramPrimitives.hmac(hash, key: saltedPassword, Array("Client Key".utf8))
        let storedKey = ScramPrimitives.hash(hash, clientKey)
        let proof = ScramPrimitives.xor(clientKey, ScramPrimitives.hmac(hash, key: storedKey, authMessage))
        return Array("\(withoutProof),p=\(Data(proof).base64EncodedString())".utf8)
    }

    /// Whether `serverFinal` carries the signature only a holder of our credential can make.
    func verify(serverFinal token: [UInt8]) -> Bool {
        guard let text = String(validating: token, as: UTF8.self), text.hasPrefix("v="),
              let signature = Data(base64Encoded: String(text.dropFirst(2))), !authMessage.isEmpty else {
            return false
        }
        let serverKey = ScramPrimitives.hmac(hash, key: saltedPassword, Array("Server Key".utf8))
        return ScramPrimitives.constantTimeEqual(Array(signature), ScramPrimitives.hmac(hash, key: serverKey, authMessage))
    }
}
