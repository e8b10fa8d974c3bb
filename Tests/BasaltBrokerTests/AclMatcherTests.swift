@testable import BasaltBroker
import BasaltKafka
import BasaltTesting
import Testing

/// Kafka's authorisation rule (``AclMatcher``) and ACL filters (``AclBindingFilter``), case by
/// case and as properties over random ACL sets.
@Suite struct AclMatcherTests {
    static let alice = KafkaPrincipal(name: "alice")
    static let bob = KafkaPrincipal(name: "bob")

    static func acl(_ name: String, _ operation: AclOperation, _ permission: AclPermission = .allow, type: AclResourceType = .topic,
                    pattern: AclPatternType = .literal, principal: String = "User:alice", host: String = "*") -> AclBinding {
        AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal, host: host,
                   operation: operation, permission: permission)
    }

    func allows(_ acls: [AclBinding], as principal: KafkaPrincipal = alice, host: String? = "10.0.0.1",
                _ operation: AclOperation, _ resource: AclResource, matcher: AclMatcher = AclMatcher()) -> Bool {
        matcher.authorize(acls, principal: principal, host: host, operation: operation, resource: resource)
    }

    @Test func noAclMeansDeniedUnlessAllowEveryone() {
        #expect(!allows([], .read, .topic("t")))
        #expect(allows([], .read, .topic("t"), matcher: AclMatcher(allowEveryoneIfNoAclFound: true)))
        // An ACL on the resource for someone else: the resource has ACLs, so no fallback.
        let other = [Self.acl("t", .read, principal: "User:bob")]
        #expect(!allows(other, .read, .topic("t"), matcher: AclMatcher(allowEveryoneIfNoAclFound: true)))
        // An ACL on another resource does not count.
        #expect(allows(other, .read, .topic("u"), matcher: AclMatcher(allowEveryoneIfNoAclFound: true)))
    }

    @Test func superUserIsAllowedEverythingEvenWithDenies() {
        let matcher = AclMatcher(superUsers: [Self.alice])
        let deny = [Self.acl("t", .all, .deny)]
        #expect(allows(deny, .write, .topic("t"), matcher: matcher))
        #expect(allows([], .clusterAction, .cluster, matcher: matcher))
        #expect(!allows(deny, as: Self.bob, .write, .topic("t"), matcher: matcher))
    }

    @Test func denyWinsOverAllow() {
        let acls = [Self.acl("t", .read), Self.acl("t", .read, .deny)]
        #expect(!allows(acls, .read, .topic("t")))
        // A deny on All denies every operation; a deny on Read does not deny Describe.
        #expect(!allows([Self.acl("t", .all), Self.acl("t", .all, .deny)], .describe, .topic("t")))
        #expect(allows([Self.acl("t", .read), Self.acl("t", .read, .deny)], .describe, .topic("t")))
        // A wildcard-principal deny beats a named allow; a prefixed deny beats a literal allow.
        #expect(!allows([Self.acl("t", .write), Self.acl("t", .write, .deny, principal: "User:*")], .write, .topic("t")))
        #expect(!allows([Self.acl("orders", .write), Self.acl("ord", .write, .deny, pattern: .prefixed)], .write, .topic("orders")))
    }

    @Test func implications() {
        for implying in [AclOperation.read, .write, .delete, .alter] {
            #expect(allows([Self.acl("t", implying)], .describe, .topic("t")), "\(implying) implies Describe")
        }
        #expect(allows([Self.acl("t", .alterConfigs)], .describeConfigs, .topic("t")))
        #expect(!allows([Self.acl("t", .describeConfigs)], .alterConfigs, .topic("t")))
        #expect(!allows([Self.acl("t", .describe)], .read, .topic("t")))
        #expect(!allows([Self.acl("t", .create)], .describe, .topic("t")))
        #expect(!allows([Self.acl("t", .write)], .read, .topic("t")))
        for operation in AclOperation.allCases where operation != .any {
            #expect(allows([Self.acl("t", .all)], operation, .topic("t")), "All allows \(operation)")
        }
    }

    @Test func patterns() {
        let prefixed = [Self.acl("orders-", .read, pattern: .prefixed)]
        #expect(allows(prefixed, .read, .topic("orders-eu")))
        #expect(allows(prefixed, .read, .topic("orders-")))
        #expect(!allows(prefixed, .read, .topic("orders")))
        #expect(!allows(prefixed, .read, .group("orders-eu")), "the resource type must match")
        let wildcard = [Self.acl("*", .read)]
        #expect(allows(wildcard, .read, .topic("anything")))
        // A prefixed `*` is a prefix, not a wildcard.
        #expect(!allows([Self.acl("*", .read, pattern: .prefixed)], .read, .topic("anything")))
        #expect(!allows([Self.acl("orders", .read)], .read, .topic("orders-eu")), "literal is exact")
        #expect(allows([Self.acl("kafka-cluster", .clusterAction, type: .cluster)], .clusterAction, .cluster))
    }

    @Test func principalsAndHosts() {
        #expect(allows([Self.acl("t", .read, principal: "User:*")], as: Self.bob, .read, .topic("t")))
        #expect(!allows([Self.acl("t", .read, principal: "User:alice")], as: Self.bob, .read, .topic("t")))
        #expect(!allows([Self.acl("t", .read, principal: "Group:alice")], .read, .topic("t")), "type is part of the principal")
        #expect(allows([Self.acl("t", .read, host: "10.0.0.1")], host: "10.0.0.1", .read, .topic("t")))
        #expect(!allows([Self.acl("t", .read, host: "10.0.0.2")], host: "10.0.0.1", .read, .topic("t")))
        #expect(!allows([Self.acl("t", .read, host: "10.0.0.1")], host: nil, .read, .topic("t")))
        #expect(allows([Self.acl("t", .read, host: "0:0:0:0:0:0:0:1")], host: "::1", .read, .topic("t")), "IPv6 normalised")
    }

    @Test func peerAddressesAreParsed() {
        #expect(PeerAddress.host(ofPeer: "[IPv4]127.0.0.1/127.0.0.1:5432") == "127.0.0.1")
        #expect(PeerAddress.host(ofPeer: "[IPv4]10.1.2.3:9092") == "10.1.2.3")
        #expect(PeerAddress.host(ofPeer: "[IPv6]::1/::1:40000") == "::1")
        #expect(PeerAddress.host(ofPeer: "[IPv6]::ffff:10.0.0.7:40000") == "10.0.0.7")
        #expect(PeerAddress.host(ofPeer: "[IPv6]fe80::1:40000") == "fe80::1")
        #expect(PeerAddress.host(ofPeer: "10.0.0.1:1") == "10.0.0.1")
        #expect(PeerAddress.host(ofPeer: "10.0.0.1") == "10.0.0.1")
        #expect(PeerAddress.host(ofPeer: "?") == nil)
        #expect(PeerAddress.host(ofPeer: "[UDS]/tmp/socket") == nil)
        #expect(PeerAddress.host(ofPeer: "") == nil)
    }

    @Test func authorizeAnyTopic() {
        let matcher = AclMatcher()
        #expect(matcher.authorizeAny([Self.acl("x-", .write, pattern: .prefixed)], principal: Self.alice, host: nil, operation: .write, type: .topic))
        #expect(!matcher.authorizeAny([Self.acl("x", .read)], principal: Self.alice, host: nil, operation: .write, type: .topic))
        #expect(!matcher.authorizeAny([Self.acl("x", .write), Self.acl("*", .write, .deny)], principal: Self.alice, host: nil,
                                      operation: .write, type: .topic))
    }

    // MARK: - Filters

    @Test func filters() {
        let literal = Self.acl("orders", .read)
        let prefixed = Self.acl("ord", .write, pattern: .prefixed)
        let wildcard = Self.acl("*", .describe)
        let group = Self.acl("orders", .read, type: .group)
        let all = [literal, prefixed, wildcard, group]
        func matching(_ filter: AclBindingFilter) -> [AclBinding] { all.filter(filter.matches) }
        #expect(matching(AclBindingFilter()) == all)
        #expect(matching(AclBindingFilter(resourceType: .topic)) == [literal, prefixed, wildcard])
        #expect(matching(AclBindingFilter(resourceName: "orders")) == [literal, group], "any: exact stored name")
        #expect(matching(AclBindingFilter(resourceType: .topic, resourceName: "orders", patternType: .match))
                == [literal, prefixed, wildcard], "match: every ACL that applies to topic orders")
        #expect(matching(AclBindingFilter(resourceName: "ord", patternType: .prefixed)) == [prefixed])
        #expect(matching(AclBindingFilter(resourceName: "orders", patternType: .literal)) == [literal, group])
        #expect(matching(AclBindingFilter(operation: .write)) == [prefixed])
        #expect(matching(AclBindingFilter(principal: "User:bob")).isEmpty)
        #expect(matching(AclBindingFilter(host: "*", permission: .allow)) == all)
        #expect(matching(AclBindingFilter(permission: .deny)).isEmpty)
    }

    @Test func creationsAreValidated() {
        func problem(_ creation: CreateAclsRequest.Creation) -> String? {
            if case .failure(let error) = AclBinding.validated(creation) { return error.message }
            return nil
        }
        let good = CreateAclsRequest.Creation(resourceType: 2, resourceName: "t", patternType: 3, principal: "User:a",
                                              host: "*", operation: 3, permissionType: 3)
        #expect(problem(good) == nil)
        var bad = good
        for (field, value) in [(0, Int8(1)), (0, 0), (0, 99), (1, 1), (1, 2), (1, -1), (2, 1), (2, 0), (3, 1), (3, 7)] {
            bad = good
            switch field {
            case 0: bad.resourceType = value
            case 1: bad.patternType = value
            case 2: bad.operation = value
            default: bad.permissionType = value
            }
            #expect(problem(bad) != nil, "field \(field) value \(value)")
        }
        bad = good
        bad.principal = "alice"
        #expect(problem(bad) != nil)
        bad = good
        bad.resourceType = 4
        #expect(problem(bad) != nil, "cluster must be named kafka-cluster")
        bad.resourceName = "kafka-cluster"
        #expect(problem(bad) == nil)
    }

    // MARK: - Properties

    /// Random ACL sets over a small universe, so that matches are frequent.
    struct Universe {
        var rng: SeededGenerator
        mutating func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }
        mutating func acl() -> AclBinding {
            AclBinding(resourceType: pick([.topic, .group]), resourceName: pick(["a", "ab", "abc", "*", "b"]),
                       patternType: pick([.literal, .prefixed]), principal: pick(["User:alice", "User:bob", "User:*"]),
                       host: pick(["*", "10.0.0.1", "10.0.0.2"]), operation: pick(AclOperation.allCases.filter { $0 != .any }),
                       permission: pick([.allow, .deny]))
        }
        mutating func request() -> (KafkaPrincipal, String, AclOperation, AclResource) {
            (pick([alice, bob]), pick(["10.0.0.1", "10.0.0.2"]), pick(AclOperation.allCases.filter { $0 != .any }),
             AclResource(pick([.topic, .group]), pick(["a", "ab", "abc", "b", "zz"])))
        }
    }

    /// A deny that matches the request always denies; an allow of All that matches always
    /// allows when no deny matches; adding allows never turns an allow into a deny; removing an
    /// ACL that does not cover the resource changes nothing.
    @Test func randomAclSetsKeepTheRules() {
        var universe = Universe(rng: SeededGenerator(seed: 20_261_205))
        let matcher = AclMatcher()
        for round in 0..<3000 {
            let acls = (0..<Int(universe.rng.next() % 8)).map { _ in universe.acl() }
            let (principal, host, operation, resource) = universe.request()
            let before = matcher.authorize(acls, principal: principal, host: host, operation: operation, resource: resource)
            let deny = AclBinding(resourceType: resource.type, resourceName: resource.name, principal: principal.description,
                                  host: host, operation: operation, permission: .deny)
            #expect(!matcher.authorize(acls + [deny], principal: principal, host: host, operation: operation, resource: resource),
                    "round \(round)")
            let allowAll = AclBinding(resourceType: resource.type, resourceName: "*", principal: "User:*", host: "*",
                                      operation: .all, permission: .allow)
            let denied = acls.contains {
                $0.permission == .deny && $0.covers(resource) && AclMatcher.matchesIdentity($0, principal: principal, host: host)
                    && ($0.operation == operation || $0.operation == .all)
            }
            #expect(matcher.authorize(acls + [allowAll], principal: principal, host: host, operation: operation, resource: resource)
                    == !denied, "round \(round)")
            let extraAllow = universe.acl()
            if before, extraAllow.permission == .allow {
                #expect(matcher.authorize(acls + [extraAllow], principal: principal, host: host, operation: operation,
                                          resource: resource), "round \(round)")
            }
            let covering = acls.filter { $0.covers(resource) }
            #expect(matcher.authorize(covering, principal: principal, host: host, operation: operation, resource: resource) == before,
                    "round \(round)")
        }
    }
}
