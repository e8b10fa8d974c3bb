import Basalt

/// Placeholder; the fault-injecting seam is written by the crash-test work.
public struct FaultInjectingFileIO {}
