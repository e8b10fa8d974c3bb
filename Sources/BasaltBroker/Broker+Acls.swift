import BasaltKafka

/// The ACL APIs: DescribeAcls needs Describe on the cluster, CreateAcls and DeleteAcls Alter on
/// the cluster (CLUSTER_AUTHORIZATION_FAILED otherwise). Without an authorizer they answer
/// SECURITY_DISABLED, as Kafka does.
extension Broker {
    /// DescribeAcls: the ACLs the filter matches, grouped by resource pattern.
    func describeAcls(_ request: DescribeAclsRequest, access: RequestAccess) -> DescribeAclsResponse {
        guard let authorizer = access.authorizer else {
            return DescribeAclsResponse(errorCode: .securityDisabled, errorMessage: "no authorizer is configured", resources: [])
        }
        guard access.allows(.describe, .cluster) else {
            return DescribeAclsResponse(errorCode: .clusterAuthorizationFailed, errorMessage: "DescribeAcls needs Describe on the cluster",
                                        resources: [])
        }
        let filter: AclBindingFilter
        switch AclBindingFilter.validated(request.filter) {
        case .success(let valid): filter = valid
        case .failure(let error):
            return DescribeAclsResponse(errorCode: .invalidRequest, errorMessage: Self.errorMessage(error.message), resources: [])
        }
        var resources: [DescribeAclsResponse.Resource] = []
        var indexByPattern: [PatternKey: Int] = [:]
        for acl in authorizer.describe(filter) {
            let key = PatternKey(type: acl.resourceType, name: acl.resourceName, pattern: acl.patternType)
            let entry = DescribeAclsResponse.Acl(principal: acl.principal, host: acl.host, operation: acl.operation.rawValue,
                                                 permissionType: acl.permission.rawValue)
            if let index = indexByPattern[key] {
                resources[index].acls.append(entry)
            } else {
                indexByPattern[key] = resources.count
                resources.append(.init(resourceType: acl.resourceType.rawValue, resourceName: acl.resourceName,
                                       patternType: acl.patternType.rawValue, acls: [entry]))
            }
        }
        return DescribeAclsResponse(resources: resources)
    }

    /// CreateAcls: every valid creation is stored in one change; each answers on its own.
    func createAcls(_ request: CreateAclsRequest, access: RequestAccess) async -> CreateAclsResponse {
        func all(_ code: KafkaErrorCode, _ message: String) -> CreateAclsResponse {
            CreateAclsResponse(results: request.creations.map { _ in .init(errorCode: code, errorMessage: message) })
        }
        guard let authorizer = access.authorizer else { return all(.securityDisabled, "no authorizer is configured") }
        guard access.allows(.alter, .cluster) else { return all(.clusterAuthorizationFailed, "CreateAcls needs Alter on the cluster") }
        let validated = request.creations.map(AclBinding.validated)
        let bindings = validated.compactMap { try? $0.get() }
        var storeFailure: (code: KafkaErrorCode, message: String)?
        if !bindings.isEmpty {
            do {
                try await authorizer.create(bindings)
                logger.info("ACLs created", metadata: ["acls": "\(bindings)", "principal": "\(access.principal)"])
            } catch AclChangeError.tooManyAcls(let limit) {
                storeFailure = (.policyViolation, "the broker keeps at most \(limit) ACLs of at most \(Authorizer.maxAclBytes) bytes in all")
            } catch {
                logger.error("ACLs not created: \(error)")
                storeFailure = (.unknownServerError, Self.errorMessage("\(error)"))
            }
        }
        return CreateAclsResponse(results: validated.map { result in
            switch result {
            case .failure(let error): .init(errorCode: .invalidRequest, errorMessage: Self.errorMessage(error.message))
            case .success: storeFailure.map { .init(errorCode: $0.code, errorMessage: $0.message) } ?? .init()
            }
        })
    }

    /// DeleteAcls: every ACL a valid filter matches is deleted in one change.
    func deleteAcls(_ request: DeleteAclsRequest, access: RequestAccess) async -> DeleteAclsResponse {
        func all(_ code: KafkaErrorCode, _ message: String) -> DeleteAclsResponse {
            DeleteAclsResponse(filterResults: request.filters.map { _ in .init(errorCode: code, errorMessage: message, matchingAcls: []) })
        }
        guard let authorizer = access.authorizer else { return all(.securityDisabled, "no authorizer is configured") }
        guard access.allows(.alter, .cluster) else { return all(.clusterAuthorizationFailed, "DeleteAcls needs Alter on the cluster") }
        let validated = request.filters.map { AclBindingFilter.validated($0.fields) }
        let filters = validated.compactMap { try? $0.get() }
        var deleted: [[AclBinding]] = []
        var storeFailure: String?
        if !filters.isEmpty {
            do {
                deleted = try await authorizer.delete(filters)
                logger.info("ACLs deleted", metadata: ["acls": "\(deleted.flatMap { $0 })", "principal": "\(access.principal)"])
            } catch {
                logger.error("ACLs not deleted: \(error)")
                storeFailure = Self.errorMessage("\(error)")
            }
        }
        var matches = deleted.makeIterator()
        return DeleteAclsResponse(filterResults: validated.map { result in
            switch result {
            case .failure(let error):
                return .init(errorCode: .invalidRequest, errorMessage: Self.errorMessage(error.message), matchingAcls: [])
            case .success:
                if let storeFailure { return .init(errorCode: .unknownServerError, errorMessage: storeFailure, matchingAcls: []) }
                let acls = matches.next() ?? []
                return .init(matchingAcls: acls.map {
                    .init(resourceType: $0.resourceType.rawValue, resourceName: $0.resourceName, patternType: $0.patternType.rawValue,
                          principal: $0.principal, host: $0.host, operation: $0.operation.rawValue,
                          permissionType: $0.permission.rawValue)
                })
            }
        })
    }
}

/// A resource pattern, for grouping DescribeAcls answers.
private struct PatternKey: Hashable {
    var type: AclResourceType
    var name: String
    var pattern: AclPatternType
}
