@testable import BasaltEtcd
import Testing

/// Parsing of gateway bytes without a server: what etcd (or anything in between) may send.
extension EtcdTests {
@Suite struct EtcdWireTests {
    @Test func theSplitterFindsObjectsHoweverTheBytesAreChunked() throws {
        let stream = #"{"result":{"a":"}{\"x"}}"# + "\n" + #"  {"b":[1,{"c":"]"}]}{"d":{}}"# + "\n"
        let expected = [#"{"result":{"a":"}{\"x"}}"#, #"{"b":[1,{"c":"]"}]}"#, #"{"d":{}}"#]
        for chunkSize in [1, 2, 3, 7, 1000] {
            var splitter = EtcdJSONObjectSplitter(maxObjectBytes: 1000)
            var found: [String] = []
            var rest = Array(stream.utf8)[...]
            while !rest.isEmpty {
                let chunk = rest.prefix(chunkSize)
                rest = rest.dropFirst(chunkSize)
                found += try splitter.append(chunk).map { String(decoding: $0, as: UTF8.self) }
            }
            #expect(found == expected, "chunk size \(chunkSize)")
            #expect(splitter.pendingBytes == 0)
        }
    }

    @Test func theSplitterRejectsGarbageAndOversizedObjects() {
        var garbage = EtcdJSONObjectSplitter(maxObjectBytes: 100)
        #expect(throws: EtcdJSONObjectSplitter.Failure.unexpectedByte(UInt8(ascii: "x"))) {
            _ = try garbage.append(Array("x{}".utf8))
        }
        var large = EtcdJSONObjectSplitter(maxObjectBytes: 10)
        #expect(throws: EtcdJSONObjectSplitter.Failure.objectTooLarge(limitBytes: 10)) {
            _ = try large.append(Array(#"{"key":"0123456789"}"#.utf8))
        }
    }

    @Test func int64sArriveAsStringsOrNumbersAndBadOnesAreTypedErrors() throws {
        let endpoint = EtcdEndpoint(host: "127.0.0.1", port: 1)
        let parsed = try EtcdJSON.decode(
            EtcdWire.RangeResponse.self,
            from: Array(#"{"header":{"revision":"9223372036854775807"},"kvs":[{"key":"YQ==","mod_revision":5}]}"#.utf8),
            endpoint: endpoint, operation: "kv/range")
        let result = try EtcdRangeResult(wire: parsed, endpoint: endpoint, operation: "kv/range")
        #expect(result.revision == Int64.max)
        #expect(result.keyValues == [EtcdKeyValue(key: "a", value: [], createRevision: 0, modRevision: 5, version: 0, leaseID: 0)])

        let hostile = [
            #"{"header":{"revision":"9223372036854775808"}}"#,  // int64 overflow
            #"{"header":{"revision":"12x"}}"#,
            #"{"header":{"revision":1e400}}"#,
            #"{"kvs":[{"key":7}]}"#,
            "[", "", "\u{0}", #"{"kvs":"#,
        ]
        for body in hostile {
            #expect(throws: EtcdError.self, "\(body)") {
                _ = try EtcdJSON.decode(EtcdWire.RangeResponse.self, from: Array(body.utf8), endpoint: endpoint, operation: "kv/range")
            }
        }
        for kv in [#"{"key":"!!!"}"#, #"{"key":"YQ==","value":"%%"}"#, #"{"value":"YQ=="}"#, #"{"key":"/w=="}"#] {
            #expect(throws: EtcdError.self, "\(kv)") {
                let wire = try EtcdJSON.decode(EtcdWire.KeyValue.self, from: Array(kv.utf8), endpoint: endpoint, operation: "t")
                _ = try EtcdKeyValue(wire: wire, endpoint: endpoint, operation: "t")
            }
        }
    }

    @Test func prefixRangeEndIncrementsTheLastByteBelow0xFF() {
        #expect(EtcdWire.prefixRangeEnd("/a/") == EtcdWire.base64("/a0"))
        #expect(EtcdWire.prefixRangeEnd("") == EtcdWire.base64([0]))
        #expect(EtcdWire.prefixRangeEnd("a\u{FF}") == EtcdWire.base64([0x61, 0xC3, 0xC0]))  // ÿ is C3 BF in UTF-8
    }
}
}
