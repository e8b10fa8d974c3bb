/// Who a connection acts as, in Kafka's `Type:Name` form (`User:alice`).
///
/// A connection starts as ``anonymous`` on a listener without authentication. TLS client
/// certificates and SASL replace it with the authenticated identity; ACLs are matched
/// against it, and `super.users` lists principals in this form.
public struct KafkaPrincipal: Sendable, Hashable, CustomStringConvertible {
    /// The principal type; Kafka's authenticators all produce `User`.
    public var type: String
    /// The principal name: a SASL user name or a certificate's subject.
    public var name: String

    /// A principal of `type` named `name`.
    public init(type: String = "User", name: String) {
        self.type = type
        self.name = name
    }

    /// The principal of an unauthenticated connection, `User:ANONYMOUS`, as in Kafka.
    public static let anonymous = KafkaPrincipal(name: "ANONYMOUS")

    /// `Type:Name`, the form ACLs and `super.users` use.
    public var description: String { "\(type):\(name)" }

    /// Parses `Type:Name`; nil when there is no colon or either side is empty.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let type = String(text[..<colon])
        let name = String(text[text.index(after: colon)...])
        guard !type.isEmpty, !name.isEmpty else { return nil }
        self.init(type: type, name: name)
    }
}
