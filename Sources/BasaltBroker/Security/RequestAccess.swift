import BasaltKafka

/// Who sent a request and what the authorizer lets them do: the one value handlers ask
/// ("may this request's principal do X on Y?").
///
/// Built once per request from the connection (``ConnectionInfo/principal`` and the peer's IP
/// address). With no authorizer (the default) every question is answered yes.
struct RequestAccess: Sendable {
    /// The broker's authorizer; nil when authorisation is off.
    let authorizer: Authorizer?
    /// The connection's principal.
    let principal: KafkaPrincipal
    /// The peer's normalised IP address; nil when the peer has none (ACLs with host `*` still match).
    let host: String?

    init(authorizer: Authorizer?, connection: ConnectionInfo) {
        self.authorizer = authorizer
        principal = connection.principal
        host = authorizer == nil ? nil : PeerAddress.host(ofPeer: connection.peer)
    }

    /// Whether requests are checked at all.
    var isChecking: Bool { authorizer != nil }

    /// Whether the principal may do `operation` on `resource`.
    func allows(_ operation: AclOperation, _ resource: AclResource) -> Bool {
        authorizer?.authorize(principal, host: host, operation, resource) ?? true
    }

    /// Whether the principal may do `operation` on some resource of `type`.
    func allowsAny(_ operation: AclOperation, type: AclResourceType) -> Bool {
        authorizer?.authorizeAny(principal, host: host, operation, type: type) ?? true
    }

    /// Whether the principal may do `operation` on topic `name`.
    func allowsTopic(_ operation: AclOperation, _ name: String) -> Bool {
        allows(operation, .topic(name))
    }

    /// Whether the principal may create topic `name`: Create on the cluster or on the topic,
    /// as Kafka asks for CreateTopics and auto-creation.
    func mayCreateTopic(_ name: String) -> Bool {
        allows(.create, .cluster) || allows(.create, .topic(name))
    }

    /// Kafka's authorized-operations bit field for `resource`: bit `code` set for each of
    /// `operations` the principal may do (DescribeCluster, DescribeGroups).
    func operationBits(_ resource: AclResource, among operations: [AclOperation]) -> Int32 {
        AclOperation.bits(operations.filter { allows($0, resource) })
    }

    /// TOPIC_AUTHORIZATION_FAILED unless the principal may do `operation` on topic `name`.
    func topicError(_ operation: AclOperation, _ name: String) -> KafkaErrorCode? {
        allowsTopic(operation, name) ? nil : .topicAuthorizationFailed
    }
}
