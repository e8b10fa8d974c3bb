// Every byte sequence a client can send as a frame body decodes to a request or a typed
// error; never a trap, never an allocation sized by an unchecked length.
//
// What decodes must also encode: the broker echoes decoded names and ids in its responses,
// so a decoder that accepts a value the encoder cannot carry (a string that grows past
// 32767 bytes, say) lets one request stop the broker. Encoding the decoded request again
// and decoding that must give back the same request.
import BasaltKafka
import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKafkaRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var frame = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    let header: RequestHeader
    let request: KafkaRequest
    do {
        (header, request) = try KafkaRequest.decode(frame: &frame)
    } catch {
        // A typed error is the right answer to bytes that are not a request.
        return 0
    }
    var encoded = ByteBuffer()
    do {
        try request.encodeFrame(header: header, into: &encoded)
    } catch {
        fatalError("decoded request does not encode: \(error)")
    }
    encoded.moveReaderIndex(forwardBy: 4)
    do {
        let (header2, request2) = try KafkaRequest.decode(frame: &encoded)
        guard header2 == header, request2 == request else {
            fatalError("re-encoded request decodes differently: \(header) \(request)")
        }
    } catch {
        fatalError("re-encoded request does not decode: \(error)")
    }
    return 0
}
