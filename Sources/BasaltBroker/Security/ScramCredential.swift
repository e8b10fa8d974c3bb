/// What the broker keeps of a user's password for one SCRAM hash (RFC 5802 §3): the salt,
/// the iteration count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and
/// ServerKey = HMAC(SaltedPassword, "Server Key"). The password itself, and the salted
/// password, are never stored: StoredKey verifies a client's proof without being usable
/// as one.
public struct ScramCredential: Sendable, Equatable {
    /// The hash of the mechanism.
    public var hash: ScramHash
    /// Random salt.
    public var salt: [UInt8]
    /// PBKDF2 iterations.
    public var iterations: Int
    /// H(ClientKey).
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key").
    public var serverKey: [UInt8]

    /// A credential from its stored parts.
    public init(hash: ScramHash, salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.hash = hash
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// Derives the credential of `password` with `salt` (random 32 bytes when nil).
    public init(hash: ScramHash, password: [UInt8], salt: [UInt8]? = nil, iterations: Int) {
        let salt = salt ?? ScramPrimitives.randomBytes(32)
        self.init(hash: hash, saltedPassword: ScramPrimitives.saltedPassword(hash, password: password, salt: salt,
                                                                              iterations: iterations),
                  salt: salt, iterations: iterations)
    }

    /// The credential of an already salted password (AlterUserScramCredentials sends that).
    public init(hash: ScramHash, saltedPassword: [UInt8], salt: [UInt8], iterations: Int) {
        let clientKey = ScramPrimitives.hmac(hash, key: saltedPassword, Array("Client Key".utf8))
        self.init(hash: hash, salt: salt, iterations: iterations,
                  storedKey: ScramPrimitives.hash(hash, clientKey),
                  serverKey: ScramPrimitives.hmac(hash, key: saltedPassword, Array("Server Key".utf8)))
    }

    /// Whether `password` is the one this credential was made from (PLAIN): recomputes the
    /// salted password and compares StoredKey in constant time.
    func matches(password: [UInt8]) -> Bool {
        let candidate = ScramCredential(hash: hash, password: password, salt: salt, iterations: iterations)
        return ScramPrimitives.constantTimeEqual(candidate.storedKey, storedKey)
    }

    /// Checks the parts' sizes and ranges, so a damaged store or a hostile
    /// AlterUserScramCredentials is refused rather than used.
    func validate() -> String? {
        guard (ScramHash.minIterations...ScramHash.maxIterations).contains(iterations) else {
            return "iterations \(iterations) not in \(ScramHash.minIterations)...\(ScramHash.maxIterations)"
        }
        guard !salt.isEmpty, salt.count <= 1024 else { return "salt of \(salt.count) bytes" }
        guard storedKey.count == hash.digestBytes, serverKey.count == hash.digestBytes else {
            return "key lengths \(storedKey.count)/\(serverKey.count), expected \(hash.digestBytes)"
        }
        return nil
    }
}
