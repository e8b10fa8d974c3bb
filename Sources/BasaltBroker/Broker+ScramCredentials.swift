import BasaltKafka

extension Broker {
    /// DescribeUserScramCredentials (KIP-554): each user's mechanisms and iteration counts,
    /// never salts or keys. No users named (null or empty) describes every user.
    func describeUserScramCredentials(_ request: DescribeUserScramCredentialsRequest) -> DescribeUserScramCredentialsResponse {
        let store = security.credentials
        func info(_ credentials: [ScramCredential]) -> [DescribeUserScramCredentialsResponse.CredentialInfo] {
            credentials.map { .init(mechanism: $0.hash.rawValue, iterations: Int32(clamping: $0.iterations)) }
        }
        guard let names = request.users, !names.isEmpty else {
            return DescribeUserScramCredentialsResponse(results: store.users.map { .init(user: $0.user, credentialInfos: info($0.credentials)) })
        }
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        var results: [DescribeUserScramCredentialsResponse.Result] = []
        var answered: Set<String> = []
        for name in names where answered.insert(name).inserted {
            if counts[name, default: 0] > 1 {
                results.append(.init(user: name, errorCode: .duplicateResource,
                                     errorMessage: "user named more than once", credentialInfos: []))
                continue
            }
            let credentials = store.credentials(user: name)
            if credentials.isEmpty {
                results.append(.init(user: name, errorCode: .resourceNotFound,
                                     errorMessage: "attempt to describe a user credential that does not exist", credentialInfos: []))
            } else {
                results.append(.init(user: name, credentialInfos: info(credentials.sorted { $0.hash.rawValue < $1.hash.rawValue })))
            }
        }
        return DescribeUserScramCredentialsResponse(results: results)
    }

    /// AlterUserScramCredentials (KIP-554): the client sends salt and salted password, the
    /// broker keeps StoredKey and ServerKey. Every user named is checked first; the valid
    /// users' changes are then written in one file replacement (in a cluster: to etcd, from
    /// where every broker applies them, and to this broker's store at once).
    func alterUserScramCredentials(_ request: AlterUserScramCredentialsRequest) async -> AlterUserScramCredentialsResponse {
        let store = security.credentials
        var errors: [String: (KafkaErrorCode, String)] = [:]
        var order: [String] = []
        var changes: [String: [(user: String, hash: ScramHash, credential: ScramCredential?)]] = [:]
        var seen: Set<String> = []
        func note(_ user: String) { if !order.contains(user) { order.append(user) } }
        func fail(_ user: String, _ code: KafkaErrorCode, _ message: String) {
            if errors[user] == nil { errors[user] = (code, message) }
        }
        for deletion in request.deletions {
            note(deletion.name)
            let key = "\(deletion.name)\u{0}\(deletion.mechanism)"
            guard seen.insert(key).inserted else { fail(deletion.name, .duplicateResource, "credential named more than once"); continue }
            guard let hash = ScramHash(rawValue: deletion.mechanism) else {
                fail(deletion.name, .unsupportedSaslMechanism, "unknown SCRAM mechanism \(deletion.mechanism)"); continue
            }
            guard store.credential(user: deletion.name, hash: hash) != nil else {
                fail(deletion.name, .resourceNotFound, "attempt to delete a user credential that does not exist"); continue
            }
            changes[deletion.name, default: []].append((deletion.name, hash, nil))
        }
        for upsertion in request.upsertions {
            note(upsertion.name)
            let key = "\(upsertion.name)\u{0}\(upsertion.mechanism)"
            guard seen.insert(key).inserted else { fail(upsertion.name, .duplicateResource, "credential named more than once"); continue }
            guard let hash = ScramHash(rawValue: upsertion.mechanism) else {
                fail(upsertion.name, .unsupportedSaslMechanism, "unknown SCRAM mechanism \(upsertion.mechanism)"); continue
            }
            if let problem = ScramCredentialStore.validate(user: upsertion.name) {
                fail(upsertion.name, .unacceptableCredential, problem); continue
            }
            let salted = Array(upsertion.saltedPassword.readableBytesView)
            guard salted.count == hash.digestBytes else {
                fail(upsertion.name, .unacceptableCredential, "salted password of \(salted.count) bytes"); continue
            }
            let credential = ScramCredential(hash: hash, saltedPassword: salted, salt: Array(upsertion.salt.readableBytesView),
                                             iterations: Int(upsertion.iterations))
            if let problem = credential.validate() {
                fail(upsertion.name, .unacceptableCredential, problem); continue
            }
            changes[upsertion.name, default: []].append((upsertion.name, hash, credential))
        }
        let accepted = order.filter { errors[$0] == nil }.flatMap { changes[$0] ?? [] }
        if !accepted.isEmpty {
            do {
                if let credentials = cluster?.credentials {
                    try await credentials.write(accepted)
                } else {
                    try store.apply(accepted)
                }
                logger.info("SCRAM credentials changed", metadata: [
                    "users": "\(Set(accepted.map(\.user)).sorted().joined(separator: ",").utf8Prefix(maxBytes: 512))"])
            } catch {
                logger.error("cannot write the SCRAM credential store", metadata: ["error": "\(error)"])
                for user in order where errors[user] == nil { errors[user] = (.unknownServerError, "credential store not written") }
            }
        }
        return AlterUserScramCredentialsResponse(results: order.map { user in
            if let (code, message) = errors[user] { return .init(user: user, errorCode: code, errorMessage: message) }
            return .init(user: user)
        })
    }
}
