// Module HDF5Schema: see Package.swift for its place in the module map.
