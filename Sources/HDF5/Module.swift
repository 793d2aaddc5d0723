import CHDF5
// Module HDF5: see Package.swift for its place in the module map.
internal func _libraryDefault() -> hid_t { nd_H5P_DEFAULT() }
