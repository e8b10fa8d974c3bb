import Crypto
import CryptoExtras

/// The cryptographic building blocks of SCRAM (RFC 5802 §2.2), from swift-crypto
/// (`Crypto` for SHA-2 and HMAC, `CryptoExtras` for PBKDF2), which on Linux wraps its own
/// BoringSSL.
///
/// Every function works on whole byte arrays: tokens are small (bounded by
/// ``ScramServerExchange``) and nothing here sits on the data path.
enum ScramPrimitives {
    /// H(data).
    static func hash(_ hash: ScramHash, _ data: [UInt8]) -> [UInt8] {
        switch hash {
        case .sha256: Array(SHA256.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    /// HMAC(key, data).
    static func hmac(_ hash: ScramHash, key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        return switch hash {
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
        }
    }

    /// Hi(password, salt, i) = PBKDF2-HMAC(password, salt, i), one block of the digest length.
    ///
    /// Costs `iterations` HMACs: about 2–5 ms at 4096 on this machine's cores, which is the
    /// point (it is what makes a stolen credential expensive to guess from). SCRAM's counts
    /// (4096...16384, Kafka's range) are far below the 210,000 swift-crypto's checked entry
    /// point asks for, hence the unchecked one.
    static func saltedPassword(_ hash: ScramHash, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let function: KDF.Insecure.PBKDF2.HashFunction = switch hash {
        case .sha256: .sha256
        case .sha512: .sha512
        }
        // BoringSSL's PBKDF2 fails only for a zero count or output length or when memory
        // runs out; callers pass a validated count (ScramHash.minIterations...maxIterations)
        // and the digest length.
        precondition(iterations > 0, "PBKDF2 with \(iterations) iterations")
        let key: SymmetricKey
        do {
            key = try KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: function,
                                                     outputByteCount: hash.digestBytes,
                                                     unsafeUncheckedRounds: iterations)
        } catch {
            preconditionFailure("PBKDF2 failed: \(error)")
        }
        return key.withUnsafeBytes { Array($0) }
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths (which
    /// are public: digest sizes): every byte pair is XORed into one accumulator, with no
    /// early exit.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
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
}
