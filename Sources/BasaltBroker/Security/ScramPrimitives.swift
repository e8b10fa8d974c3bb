import CNIOBoringSSL

/// The cryptographic building blocks of SCRAM (RFC 5802 §2.2), from the BoringSSL that
/// swift-nio-ssl already links, so the broker carries one copy of it.
///
/// Every function works on whole byte arrays: tokens are small (bounded by
/// ``ScramServerExchange``) and nothing here sits on the data path.
enum ScramPrimitives {
    /// H(data).
    static func hash(_ hash: ScramHash, _ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: hash.digestBytes)
        data.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                switch hash {
                case .sha256: _ = SHA256(input.baseAddress, input.count, output.baseAddress)
                case .sha512: _ = SHA512(input.baseAddress, input.count, output.baseAddress)
                }
            }
        }
        return digest
    }

    /// HMAC(key, data).
    static func hmac(_ hash: ScramHash, key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: hash.digestBytes)
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { key in
            data.withUnsafeBufferPointer { input in
                digest.withUnsafeMutableBufferPointer { output in
                    _ = HMAC(evp(hash), key.baseAddress, key.count, input.baseAddress, input.count,
                                           output.baseAddress, &length)
                }
            }
        }
        precondition(Int(length) == hash.digestBytes, "HMAC wrote \(length) bytes")
        return digest
    }

    /// Hi(password, salt, i) = PBKDF2-HMAC(password, salt, i), one block of the digest length.
    ///
    /// Costs `iterations` HMACs: about 2–5 ms at 4096 on this machine's cores, which is the
    /// point (it is what makes a stolen credential expensive to guess from).
    static func saltedPassword(_ hash: ScramHash, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: hash.digestBytes)
        let result = password.withUnsafeBufferPointer { password in
            salt.withUnsafeBufferPointer { salt in
                output.withUnsafeMutableBufferPointer { output in
                    password.withMemoryRebound(to: CChar.self) { password in
                        PKCS5_PBKDF2_HMAC(password.baseAddress, password.count, salt.baseAddress, salt.count,
                                                        UInt32(iterations), evp(hash), output.count, output.baseAddress)
                    }
                }
            }
        }
        precondition(result == 1, "PBKDF2 failed")
        return output
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths (which
    /// are public: digest sizes).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }

    /// `count` bytes from the system's cryptographic generator.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// `a` XOR `b` (same length).
    static func xor(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        precondition(a.count == b.count, "xor of \(a.count) and \(b.count) bytes")
        return zip(a, b).map { $0 ^ $1 }
    }

    private static func evp(_ hash: ScramHash) -> OpaquePointer? {
        switch hash {
        case .sha256: EVP_sha256()
        case .sha512: EVP_sha512()
        }
    }
}
