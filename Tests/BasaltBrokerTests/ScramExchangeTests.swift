import Foundation
import Testing
@testable import BasaltBroker

/// SCRAM against RFC 7677's worked example, and the broker's server exchange against its
/// own client exchange (what inter-broker authentication uses).
@Suite struct ScramExchangeTests {
    let directory = NSTemporaryDirectory() + "basalt-scram-" + UUID().uuidString

    /// RFC 7677 §3: user "user", password "pencil".
    @Test func primitivesReproduceRFC7677() throws {
        let salt = try #require(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ=="))
        let credential = ScramCredential(hash: .sha256, password: Array("pencil".utf8), salt: Array(salt), iterations: 4096)
        let authMessage = Array(("n=user,r=rOprNGfwEbeRWgbNEkqO,"
            + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
            + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0").utf8)
        let proof = try #require(Data(base64Encoded: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
        // The server's check: H(proof XOR HMAC(StoredKey, AuthMessage)) == StoredKey.
        let clientKey = ScramPrimitives.xor(Array(proof), ScramPrimitives.hmac(.sha256, key: credential.storedKey, authMessage))
        #expect(ScramPrimitives.hash(.sha256, clientKey) == credential.storedKey)
        let signature = ScramPrimitives.hmac(.sha256, key: credential.serverKey, authMessage)
        #expect(Data(signature).base64EncodedString() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        #expect(credential.matches(password: Array("pencil".utf8)))
        #expect(!credential.matches(password: Array("pencil ".utf8)))
    }

    private func store(_ users: [(String, ScramHash, String)]) throws -> ScramCredentialStore {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try ScramCredentialStore(brokerDirectory: directory)
        try store.apply(users.map { ($0.0, $0.1, ScramCredential(hash: $0.1, password: Array($0.2.utf8), iterations: 4096)) })
        return store
    }

    private func run(_ server: inout ScramServerExchange, _ client: inout ScramClientExchange) -> (ScramServerExchange.Step, Bool) {
        guard case .challenge(let serverFirst) = server.receive(client.clientFirst),
              let final = client.clientFinal(serverFirst: serverFirst) else {
            return (.failure(reason: "no server-first"), false)
        }
        let step = server.receive(final)
        if case .success(_, let serverFinal) = step { return (step, client.verify(serverFinal: serverFinal)) }
        return (step, false)
    }

    @Test(arguments: [ScramHash.sha256, .sha512])
    func clientAndServerAgree(hash: ScramHash) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try store([("a,b=c", hash, "secret")])
        var server = ScramServerExchange(hash: hash, store: store, unknownUserKey: Array(repeating: 7, count: 32))
        var client = ScramClientExchange(hash: hash, username: "a,b=c", password: Array("secret".utf8))
        let (step, verified) = run(&server, &client)
        guard case .success(let user, _) = step else { Issue.record("expected success, got \(step)"); return }
        #expect(user == "a,b=c")
        #expect(verified)
    }

    @Test func wrongPasswordAndUnknownUserFailAtTheProof() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try store([("alice", .sha256, "secret")])
        for (user, password) in [("alice", "guess"), ("nobody", "secret")] {
            var server = ScramServerExchange(hash: .sha256, store: store, unknownUserKey: Array(repeating: 7, count: 32))
            var client = ScramClientExchange(hash: .sha256, username: user, password: Array(password.utf8))
            let (step, _) = run(&server, &client)
            #expect(step == .failure(reason: "invalid credentials"))
        }
    }

    @Test func aClientRefusesAServerWithoutTheCredential() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try store([("alice", .sha256, "secret")])
        var server = ScramServerExchange(hash: .sha256, store: store, unknownUserKey: Array(repeating: 7, count: 32))
        var client = ScramClientExchange(hash: .sha256, username: "alice", password: Array("secret".utf8))
        guard case .challenge(let serverFirst) = server.receive(client.clientFirst),
              let final = client.clientFinal(serverFirst: serverFirst) else { Issue.record("no exchange"); return }
        _ = server.receive(final)
        #expect(!client.verify(serverFinal: Array("v=\(Data(repeating: 0, count: 32).base64EncodedString())".utf8)))
        // Iteration counts beyond the client's bound are refused (a hostile peer burning CPU).
        var other = ScramClientExchange(hash: .sha256, username: "alice", password: Array("secret".utf8))
        let nonce = String(decoding: other.clientFirst, as: UTF8.self).split(separator: "=").last ?? ""
        #expect(other.clientFinal(serverFirst: Array("r=\(nonce)x,s=c2FsdA==,i=999999999".utf8)) == nil)
    }

    @Test func damagedStoreIsATypedError() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/scram-credentials.json"
        for content in ["not json", #"{"version": 2, "credentials": []}"#,
                        #"{"version": 1, "credentials": [{"user": "a", "mechanism": "SCRAM-SHA-256", "iterations": 1, "salt": "AA==", "storedKey": "AA==", "serverKey": "AA=="}]}"#] {
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: BrokerStateFileError.self) { try ScramCredentialStore(brokerDirectory: directory) }
        }
    }
}
