/// Whether requests are checked against ACLs, and the two settings Kafka's authorizer has.
///
/// Off by default: every request is allowed, as on a Kafka broker without
/// `authorizer.class.name`. Turned on by `authorizer.class.name` (Kafka's StandardAuthorizer or
/// AclAuthorizer class name), `basalt.authorizer.enabled=true`, or `--authorizer`.
public struct AuthorizationSettings: Sendable, Equatable {
    /// Whether the authorizer is on.
    public var enabled: Bool = false
    /// Principals allowed everything (`super.users`, `User:a;User:b`).
    public var superUsers: Set<KafkaPrincipal> = []
    /// Whether a resource no ACL covers is open to everyone (`allow.everyone.if.no.acl.found`,
    /// false as in Kafka).
    public var allowEveryoneIfNoAclFound: Bool = false

    /// Settings with the authorizer off.
    public init() {}

    /// The class names of Kafka's authorizers, accepted in `authorizer.class.name` as "on".
    public static let kafkaAuthorizerClassNames: Set<String> = [
        "org.apache.kafka.metadata.authorizer.StandardAuthorizer", "kafka.security.authorizer.AclAuthorizer",
    ]

    /// Parses `super.users`: principals separated by semicolons (Kafka's format), blanks ignored.
    ///
    /// - Throws: ``BrokerConfigurationError`` naming an entry that is not `Type:Name`.
    public static func parseSuperUsers(_ text: String) throws(BrokerConfigurationError) -> Set<KafkaPrincipal> {
        var principals: Set<KafkaPrincipal> = []
        for part in text.split(separator: ";") {
            let entry = part.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            guard let principal = KafkaPrincipal(parsing: entry) else {
                throw .invalid("super.users: \(entry) is not a principal (Type:Name, e.g. User:admin)")
            }
            principals.insert(principal)
        }
        return principals
    }
}
