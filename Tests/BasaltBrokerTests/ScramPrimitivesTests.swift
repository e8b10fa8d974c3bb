import Testing
@testable import BasaltBroker

/// ScramPrimitives against published vectors and an independent implementation (Python's
/// hashlib, OpenSSL underneath) for what RFC 7677's example (in ScramExchangeTests) does not
/// reach: SHA-512, HMAC-SHA-512, PBKDF2-HMAC-SHA-512, Kafka's highest iteration count.
@Suite struct ScramPrimitivesTests {
    /// FIPS 180-2 appendix C.1: SHA-512("abc").
    @Test func sha512OfABC() {
        #expect(hex(ScramPrimitives.hash(.sha512, Array("abc".utf8)))
            == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    /// RFC 4231 test case 2: HMAC-SHA-512 with key "Jefe".
    @Test func hmacSha512RFC4231() {
        let mac = ScramPrimitives.hmac(.sha512, key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
        #expect(hex(mac) == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    /// `hashlib.pbkdf2_hmac(name, b"pencil", b"salt-of-16-bytes", iterations)`.
    @Test(arguments: [
        (ScramHash.sha512, 4096, "9635e87acdc32c685b74dfec5620dc3ca0a3ba5b46e540297665d21ddea127ae"
            + "b5a8f535175cd9b390058e7584feeadf30bf9ae1dc90f6bc1c0fcab763cc4ecc"),
        (ScramHash.sha256, 16384, "ed606cba3ad8786c3739f07b0e30aa891c606f92a4206823f059028823304d2f"),
    ])
    func saltedPasswordMatchesHashlib(_ hash: ScramHash, _ iterations: Int, _ expected: String) {
        let salted = ScramPrimitives.saltedPassword(hash, password: Array("pencil".utf8),
                                                    salt: Array("salt-of-16-bytes".utf8), iterations: iterations)
        #expect(hex(salted) == expected)
    }

    @Test func constantTimeEqual() {
        let key = (0..<64).map { UInt8($0) }
        #expect(ScramPrimitives.constantTimeEqual(key, key))
        #expect(ScramPrimitives.constantTimeEqual([], []))
        var first = key
        first[0] ^= 0x80
        var last = key
        last[63] ^= 0x01
        #expect(!ScramPrimitives.constantTimeEqual(key, first))
        #expect(!ScramPrimitives.constantTimeEqual(key, last))
        #expect(!ScramPrimitives.constantTimeEqual(key, Array(key.dropLast())))
        #expect(!ScramPrimitives.constantTimeEqual([], [0]))
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
