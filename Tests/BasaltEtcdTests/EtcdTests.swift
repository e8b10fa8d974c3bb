import Testing

/// Every suite that starts a real etcd runs inside this one, one test at a time: two dozen
/// etcd processes starting at once on a 2-core machine (each syncing its WAL) starve each
/// other and every other test of the run.
@Suite(.serialized) enum EtcdTests {}
