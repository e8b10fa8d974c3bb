import CNIOBoringSSL
import NIOSSL

/// The principal of a TLS client certificate: `User:` and the subject's distinguished name
/// in RFC 2253 form, most specific attribute first (`User:CN=alice,OU=eng,O=Example,C=GB`),
/// as Kafka's default `ssl.principal.mapping.rules` (DEFAULT) produces it from Java's
/// `X500Principal.getName()`. Special characters are escaped as RFC 2253 says
/// (`CN=a\,b`); non-ASCII text stays UTF-8; attributes without a short name are
/// written as `OID=#hex` of their DER value.
enum CertificatePrincipal {
    /// RFC 2253 printing flags (BoringSSL's `XN_FLAG_RFC2253` without `ASN1_STRFLGS_ESC_MSB`,
    /// so UTF-8 stays readable as in Java): escape per RFC 2253 and control characters,
    /// convert to UTF-8, dump unknown types as DER hex, `,` between RDNs and `+` inside
    /// one, most specific first, short names.
    private static let rfc2253Flags: UInt = 0x1 | 0x2 | 0x10 | 0x100 | 0x200 | (1 << 16) | (1 << 20) | (1 << 24)

    /// The longest distinguished name kept; longer ones are refused (no certificate from a
    /// real CA has one).
    static let maxNameBytes = 4096

    /// The principal of `certificate`, or nil when its subject cannot be printed.
    static func principal(of certificate: NIOSSLCertificate) -> KafkaPrincipal? {
        guard let der = try? certificate.toDERBytes() else { return nil }
        return der.withUnsafeBufferPointer { buffer -> KafkaPrincipal? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let x509 = d2i_X509(nil, &cursor, buffer.count) else { return nil }
            defer { X509_free(x509) }
            guard let name = X509_get_subject_name(x509), let bio = BIO_new(BIO_s_mem()) else { return nil }
            defer { BIO_free(bio) }
            guard X509_NAME_print_ex(bio, name, 0, rfc2253Flags) >= 0 else { return nil }
            var contents: UnsafePointer<UInt8>?
            var length = 0
            guard BIO_mem_contents(bio, &contents, &length) == 1, let contents, length > 0,
                  length <= maxNameBytes else { return nil }
            guard let text = String(validating: UnsafeBufferPointer(start: contents, count: length), as: UTF8.self) else {
                return nil
            }
            return KafkaPrincipal(name: text)
        }
    }
}
