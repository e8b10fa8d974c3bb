import NIOCore
import Testing
@testable import BasaltKafka

/// Hand-written byte layouts of the ACL APIs (keys 29–31), from Kafka's CreateAcls, DescribeAcls
/// and DeleteAcls message definitions, decoded and re-encoded with exact expectations.
@Suite struct AclWireVectorTests {
    static let hex = WireVectorTests.hex

    /// CreateAcls v1 as librdkafka sends it: one prefixed Allow Write on topics `orders*` for User:bob.
    @Test func createAclsV1Request() throws {
        let body = Self.hex("""
            00000001
            02 0006 6f7264657273 04 0008 557365723a626f62 0001 2a 04 03
            """)
        var frame = ByteBuffer(bytes: Self.hex("001e 0001 00000007 0001 74") + body)
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header == RequestHeader(apiKey: .createAcls, apiVersion: 1, correlationId: 7, clientId: "t"))
        let expected = CreateAclsRequest(creations: [
            .init(resourceType: 2, resourceName: "orders", patternType: 4, principal: "User:bob", host: "*", operation: 4,
                  permissionType: 3),
        ])
        #expect(request == .createAcls(expected))
        var reencoded = ByteBuffer()
        try request.encode(into: &reencoded, version: 1)
        #expect(reencoded.bytesArray == body)
    }

    /// CreateAcls v0 has no pattern type: it decodes as literal (3).
    @Test func createAclsV0RequestIsLiteral() throws {
        var buffer = ByteBuffer(bytes: Self.hex("00000001 02 0001 2a 0008 557365723a626f62 0001 2a 03 02"))
        let request = try CreateAclsRequest(from: &buffer, version: 0)
        #expect(request.creations == [.init(resourceType: 2, resourceName: "*", patternType: 3, principal: "User:bob",
                                            host: "*", operation: 3, permissionType: 2)])
    }

    /// DescribeAcls v2 (flexible): header v2, compact nullable strings (0 = null), tag sections.
    @Test func describeAclsV2Request() throws {
        let body = Self.hex("01 00 01 09 557365723a626f62 00 01 01 00")
        var frame = ByteBuffer(bytes: Self.hex("001d 0002 00000009 0001 74 00") + body)
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header.apiKey == .describeAcls && header.apiVersion == 2 && header.correlationId == 9)
        let filter = AclFilterFields(resourceType: 1, resourceName: nil, patternType: 1, principal: "User:bob", host: nil,
                                     operation: 1, permissionType: 1)
        #expect(request == .describeAcls(DescribeAclsRequest(filter: filter)))
        var reencoded = ByteBuffer()
        try request.encode(into: &reencoded, version: 2)
        #expect(reencoded.bytesArray == body)
    }

    /// DeleteAcls v1 response: one filter that matched one ACL.
    @Test func deleteAclsV1Response() throws {
        let body = Self.hex("""
            00000000 00000001 0000 ffff 00000001
            0000 ffff 02 0006 6f7264657273 04 0008 557365723a626f62 0001 2a 04 03
            """)
        var buffer = ByteBuffer(bytes: body)
        let response = try KafkaResponse(from: &buffer, apiKey: .deleteAcls, version: 1)
        let expected = DeleteAclsResponse(filterResults: [
            .init(matchingAcls: [
                .init(resourceType: 2, resourceName: "orders", patternType: 4, principal: "User:bob", host: "*",
                      operation: 4, permissionType: 3),
            ]),
        ])
        #expect(response == .deleteAcls(expected))
        #expect(buffer.readableBytes == 0)
        var reencoded = ByteBuffer()
        try response.encode(into: &reencoded, version: 1)
        #expect(reencoded.bytesArray == body)
    }

    /// CreateAcls v2 response (flexible): compact array of one result with a null message.
    @Test func createAclsV2Response() throws {
        let body = Self.hex("00000000 02 001f 00 00 00")
        var buffer = ByteBuffer(bytes: body)
        let response = try KafkaResponse(from: &buffer, apiKey: .createAcls, version: 2)
        #expect(response == .createAcls(CreateAclsResponse(results: [.init(errorCode: .clusterAuthorizationFailed)])))
        var reencoded = ByteBuffer()
        try response.encode(into: &reencoded, version: 2)
        #expect(reencoded.bytesArray == body)
    }

    /// DescribeAcls v1 response: one resource with one ACL.
    @Test func describeAclsV1Response() throws {
        let body = Self.hex("""
            00000000 0000 ffff 00000001
            03 0002 6731 03 00000001 0008 557365723a626f62 0001 2a 03 03
            """)
        var buffer = ByteBuffer(bytes: body)
        let response = try KafkaResponse(from: &buffer, apiKey: .describeAcls, version: 1)
        let expected = DescribeAclsResponse(resources: [
            .init(resourceType: 3, resourceName: "g1", patternType: 3,
                  acls: [.init(principal: "User:bob", host: "*", operation: 3, permissionType: 3)]),
        ])
        #expect(response == .describeAcls(expected))
        var reencoded = ByteBuffer()
        try response.encode(into: &reencoded, version: 1)
        #expect(reencoded.bytesArray == body)
    }

    /// A forged count of two billion creations is a typed error, not an allocation.
    @Test func hugeCountIsTruncated() {
        var buffer = ByteBuffer(bytes: Self.hex("7fffffff 02"))
        #expect(throws: KafkaProtocolError.self) { try CreateAclsRequest(from: &buffer, version: 1) }
        var flexible = ByteBuffer(bytes: Self.hex("ffffffff07 02"))
        #expect(throws: KafkaProtocolError.self) { try DeleteAclsRequest(from: &flexible, version: 2) }
    }
}
