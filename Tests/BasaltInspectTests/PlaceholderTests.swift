import Testing
@testable import BasaltInspect

@Test func placeholder() {}
