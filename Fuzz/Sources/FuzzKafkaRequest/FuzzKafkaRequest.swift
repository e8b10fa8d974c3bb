// Every byte sequence a client can send as a frame body decodes to a request or a typed
// error; never a trap, never an allocation sized by an unchecked length.
import BasaltKafka
import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKafkaRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var frame = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    do {
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        // What decodes must encode again without trapping.
        var encoded = ByteBuffer()
        request.encodeFrame(header: header, into: &encoded)
    } catch {
        // A typed error is the right answer to bytes that are not a request.
    }
    return 0
}
