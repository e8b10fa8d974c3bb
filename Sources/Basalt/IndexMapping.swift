import Glibc

/// A shared, writable `mmap` of an index file, unmapped when the last reference goes.
///
/// ``MappedIndex`` holds one while its segment takes appends and drops it when the
/// segment is sealed; a reader that fetched the mapping just before keeps it alive, so
/// the pages it is reading are never unmapped under it. This `deinit` is the only
/// `munmap` of the store.
///
/// The pointer is immutable and the bytes behind it follow ``MappedIndex``'s publication
/// protocol (entries stored before their count is published with release ordering), which
/// is what makes the `@unchecked Sendable` sound.
final class IndexMapping: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let lengthBytes: Int

    /// Maps the first `lengthBytes` of `file`, which must be at least that long.
    /// Throws ``BasaltError/io(operation:path:errno:)``.
    init(file: StorageFile, lengthBytes: Int) throws {
        let length = max(lengthBytes, 1)
        let pointer = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, file.descriptor, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw BasaltError.io(operation: "mmap", path: file.path, errno: errno)
        }
        self.base = pointer
        self.lengthBytes = length
    }

    deinit { munmap(base, lengthBytes) }

    /// Writes the dirty pages back to the file. Throws ``BasaltError/io(operation:path:errno:)``.
    func sync(path: String) throws {
        guard msync(base, lengthBytes, MS_SYNC) == 0 else {
            throw BasaltError.io(operation: "msync", path: path, errno: errno)
        }
    }
}
