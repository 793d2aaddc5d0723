/// Checks that need another module's reader: the weight files
/// (`{index:06d}-FULL.pth`), and nasdata's own HDF5 outputs.
///
/// Each returns the outcome it could establish. When the module a rule needs is
/// not available the outcome is `.unchecked` with "not available" in the detail,
/// never a silent pass.
enum StructureChecks {
    /// Kind/rule/verdict for a `{index:06d}-FULL.pth` weight file.
    static func weightFile(path: String, index: Int, report: inout FileReport) {
        report.rule = "structure: opens as torch checkpoint, arch string = canonical string of index \(index), "
            + "state-dict keys and shapes = that architecture's network"
        report.skip("not available: needs TorchFormats, NASBench and TinyNetwork (not on main yet)")
    }

    /// Kind/rule/verdict for an HDF5 file nasdata wrote.
    static func hdf5(path: String, report: inout FileReport) {
        report.rule = "schema check + per-record checksums recomputed"
        report.skip("not available: needs HDF5 + HDF5Schema and the ImageSetIntegrity/ArchiveIntegrity checks (not on main yet)")
    }
}
