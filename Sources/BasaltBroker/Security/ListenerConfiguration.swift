/// One listener, as Kafka's `listeners` names it: `NAME://host:port`, with its security
/// protocol from `listener.security.protocol.map` (or the name itself, for the four
/// standard names) and the address clients are told (`advertised.listeners`).
public struct ListenerConfiguration: Sendable, Equatable {
    /// Listener name, upper case (`PLAINTEXT`, `SASL_SSL`, `CLIENT`, …).
    public var name: String
    /// How its connections are protected.
    public var securityProtocol: SecurityProtocol
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 picks a free one (tests).
    public var port: Int
    /// Host clients are told (Metadata, FindCoordinator); the bind host when nil, or
    /// 127.0.0.1 when that is a wildcard address.
    public var advertisedHost: String?
    /// Port clients are told; the bound port when nil.
    public var advertisedPort: Int?

    /// A listener `name` bound at `host`:`port`.
    public init(name: String, securityProtocol: SecurityProtocol, host: String, port: Int,
                advertisedHost: String? = nil, advertisedPort: Int? = nil) {
        self.name = name
        self.securityProtocol = securityProtocol
        self.host = host
        self.port = port
        self.advertisedHost = advertisedHost
        self.advertisedPort = advertisedPort
    }

    /// Parses Kafka's `listeners` (and `advertised.listeners`) settings.
    ///
    /// - Parameters:
    ///   - listeners: `NAME://host:port[,NAME://host:port…]`; an empty host binds every address.
    ///   - advertised: the same form; each entry sets the advertised address of the listener
    ///     of that name.
    ///   - protocolMap: `NAME:PROTOCOL[,…]` (`listener.security.protocol.map`); the four
    ///     standard names map to themselves unless listed.
    /// - Throws: ``BrokerConfigurationError`` naming the entry at fault.
    public static func parse(listeners: String, advertised: String?, protocolMap: String?)
        throws(BrokerConfigurationError) -> [ListenerConfiguration] {
        var protocols: [String: SecurityProtocol] = [:]
        for securityProtocol in SecurityProtocol.allCases { protocols[securityProtocol.rawValue] = securityProtocol }
        for entry in (protocolMap ?? "").split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty,
                  let securityProtocol = SecurityProtocol(rawValue: parts[1].uppercased()) else {
                throw .invalid("listener.security.protocol.map: \(entry) is not NAME:PROTOCOL "
                               + "(PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)")
            }
            protocols[parts[0].uppercased()] = securityProtocol
        }
        var result: [ListenerConfiguration] = []
        for entry in try split(listeners, setting: "listeners") {
            guard let securityProtocol = protocols[entry.name] else {
                throw .invalid("listeners: \(entry.name) has no security protocol; add it to listener.security.protocol.map")
            }
            guard !result.contains(where: { $0.name == entry.name }) else {
                throw .invalid("listeners: \(entry.name) is listed twice")
            }
            result.append(ListenerConfiguration(name: entry.name, securityProtocol: securityProtocol,
                                                host: entry.address.host, port: entry.address.port))
        }
        guard !result.isEmpty else { throw .invalid("listeners: no listener given") }
        if let advertised {
            for entry in try split(advertised, setting: "advertised.listeners") {
                guard let index = result.firstIndex(where: { $0.name == entry.name }) else {
                    throw .invalid("advertised.listeners: \(entry.name) is not in listeners")
                }
                result[index].advertisedHost = entry.address.host
                result[index].advertisedPort = entry.address.port
            }
        }
        return result
    }

    private static func split(_ text: String, setting: String)
        throws(BrokerConfigurationError) -> [(name: String, address: HostPort)] {
        var entries: [(name: String, address: HostPort)] = []
        for raw in text.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            guard let scheme = entry.range(of: "://"), let address = HostPort(parsing: entry) else {
                throw .invalid("\(setting): \(entry) is not NAME://host:port")
            }
            let name = entry[..<scheme.lowerBound].uppercased()
            guard !name.isEmpty else { throw .invalid("\(setting): \(entry) has no listener name") }
            entries.append((name, address))
        }
        return entries
    }
}
