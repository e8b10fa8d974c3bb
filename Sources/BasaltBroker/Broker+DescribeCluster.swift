import BasaltKafka

extension Broker {
    /// The authorized operations of the cluster when a client asks: every one the cluster
    /// resource supports, as Kafka reports them without an authorizer (with one,
    /// ``authorizedDescribeCluster(_:access:)`` reports the principal's).
    static let clusterAuthorizedOperations = AclOperation.bits(AclOperation.onCluster)

    /// DescribeCluster: the brokers and controller Metadata would name, and the cluster id.
    func describeCluster(_ request: DescribeClusterRequest) -> DescribeClusterResponse {
        guard request.endpointType == 1 else {
            let code = request.endpointType == 2 ? KafkaErrorCode.mismatchedEndpointType : .unsupportedEndpointType
            return DescribeClusterResponse(errorCode: code, errorMessage: "this endpoint describes brokers (endpoint type 1)",
                                           endpointType: request.endpointType, clusterId: "", controllerId: -1, brokers: [])
        }
        let operations = request.includeClusterAuthorizedOperations ? Self.clusterAuthorizedOperations : Int32.min
        guard let cluster else {
            let address = advertisedAddress
            return DescribeClusterResponse(
                clusterId: clusterId, controllerId: configuration.nodeId,
                brokers: [.init(brokerId: configuration.nodeId, host: address.host, port: Int32(clamping: address.port))],
                clusterAuthorizedOperations: operations)
        }
        let view = cluster.metadata.view
        let brokers = view.brokers.sorted { $0.key < $1.key }.map {
            DescribeClusterResponse.Broker(brokerId: $0.key, host: $0.value.host, port: Int32(clamping: $0.value.port))
        }
        return DescribeClusterResponse(clusterId: cluster.configuration.name, controllerId: view.controller ?? -1,
                                       brokers: brokers, clusterAuthorizedOperations: operations)
    }
}
